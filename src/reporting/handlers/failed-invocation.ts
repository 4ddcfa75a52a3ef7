import type { SESEvent } from 'aws-lambda';
import { RAW_MAIL_PREFIX } from './env';
import { IngestDeps, rejectInput } from './ingest';

/**
 * What Lambda sends an `OnFailure` destination after the last retry of an asynchronous invocation (the invocation
 * record); only the fields read here.
 */
export interface FailedInvocationRecord {
  readonly timestamp?: string;
  readonly requestContext?: { readonly condition?: string; readonly approximateInvokeCount?: number };
  readonly requestPayload?: Partial<SESEvent>;
  readonly responsePayload?: { readonly errorType?: string; readonly errorMessage?: string } | null;
}

const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_REASON = 300;

/**
 * Records each mail of a report-processor invocation that failed for good (retries exhausted, or too old) under
 * `rejected/`, with the error, so that a failure leaves the same trace as a rejection and counts in
 * `ReportsRejected`. A mail already recorded stays as it was. Returns the keys written or found.
 */
export async function recordFailedInvocation(record: FailedInvocationRecord, deps: IngestDeps): Promise<string[]> {
  const attempts = record.requestContext?.approximateInvokeCount;
  const condition = record.requestContext?.condition ?? 'failed';
  const error = record.responsePayload
    ? `${record.responsePayload.errorType ?? 'Error'}: ${record.responsePayload.errorMessage ?? ''}`
    : 'no error given';
  const reason = `processing failed (${condition}${attempts ? `, ${attempts} attempts` : ''}): ${error}`
    .replace(/\s+/g, ' ')
    .slice(0, MAX_REASON);
  const keys: string[] = [];
  for (const { ses } of record.requestPayload?.Records ?? []) {
    const messageId = ses?.mail?.messageId;
    // Anything else came from somewhere we do not know; it is left to the dead-letter queue.
    if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) continue;
    const time = Date.parse(ses.mail.timestamp ?? record.timestamp ?? '');
    const receivedAt = new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
    const recorded = await rejectInput(
      { id: messageId, source: `${RAW_MAIL_PREFIX}${messageId}`, receivedAt, reason },
      deps,
    );
    keys.push(recorded.key);
  }
  return keys;
}
