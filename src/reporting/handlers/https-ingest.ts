import { createHash } from 'node:crypto';
import { NormalisedReport, parseReportJson, ReportRejectedError } from '../parser';
import { RAW_HTTPS_PREFIX } from './env';
import { IngestDeps, IngestOutcome, storeReports } from './ingest';
import { implausibility } from './plausibility';
import { isPublishedDomain } from './published-domains';

export interface HttpsIngestDeps extends IngestDeps {
  /** Largest accepted body, and largest decompressed report. */
  readonly maxBytes: number;
  /** Reports about other domains are refused: HTTPS reports are unauthenticated (RFC 8460 §7). */
  readonly publishedDomains: readonly string[];
  /**
   * Count stored HTTPS reports in the metrics (and so the alarms). Default false: anyone can POST, so by default
   * HTTPS reports are only stored, apart from mail reports, and never decide anything.
   */
  readonly countHttps?: boolean;
}

export interface HttpsReportRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  /** ISO 8601 UTC request time. */
  readonly receivedAt: string;
}

export interface HttpsReportResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  /** One short line of plain text. */
  readonly body: string;
}

// RFC 8460 §5.4. Gzip is recognised by its magic bytes whatever the type says: some senders label gzip `+json`
// without Content-Encoding, others plain JSON `+gzip`.
const MEDIA_TYPES = new Set(['application/tlsrpt+gzip', 'application/tlsrpt+json']);

function respond(statusCode: number, text: string, headers: Record<string, string> = {}): HttpsReportResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: `${text}\n` };
}

function ownPolicies(report: NormalisedReport, published: readonly string[]): NormalisedReport {
  return { ...report, policies: report.policies.filter((p) => isPublishedDomain(p.policyDomain, published)) };
}

/**
 * A body refused with 400 (not a report) or 403 (about no published domain). Only logged, never stored and never
 * counted as `ReportsRejected`: the Function URL is open to anyone, so anything it recorded per refused request
 * would let anonymous callers grow the bucket (or the rejection count, and the alarms watching it) without limit.
 * `ReportsRejected` counts rejected mails only; HTTPS refusals are in the receiver's log, one line each.
 */
export interface HttpsRejection {
  readonly outcome: 'rejected';
  readonly reason: string;
  /** SHA-256 of the body, as `raw/https/` would have named it: tells a resent body from a new one. */
  readonly bodySha256: string;
}

/**
 * Answers one HTTPS report upload (RFC 8460 §5.4): 201 once the report is stored (also when it already was),
 * 405/415/413 for requests that are not report uploads, 400 for a body that is not a report and 403 for a report
 * about none of `publishedDomains`. The body is parsed and checked in memory first: only an accepted report is
 * written (raw under `raw/https/`, normalized under `https-reports/` with channel `https`, keyed by the body's
 * SHA-256, see `storedDedupKey`), and counted in the metrics only with `countHttps`;
 * every refusal writes nothing. Of a report about several domains, only the policies about published domains are
 * stored. S3 errors throw (the sender sees a 5xx and retries).
 */
export async function receiveReport(
  request: HttpsReportRequest,
  deps: HttpsIngestDeps,
): Promise<{ response: HttpsReportResponse; outcome?: IngestOutcome | HttpsRejection }> {
  if (request.method.toUpperCase() !== 'POST') {
    return { response: respond(405, 'method not allowed: POST a TLS report', { allow: 'POST' }) };
  }
  const mediaType = request.contentType?.split(';')[0].trim().toLowerCase() ?? '';
  if (!MEDIA_TYPES.has(mediaType)) {
    return { response: respond(415, 'unsupported media type: use application/tlsrpt+gzip or application/tlsrpt+json') };
  }
  if (request.body.length > deps.maxBytes) {
    return { response: respond(413, `report too large: over ${deps.maxBytes} bytes`) };
  }
  if (request.body.length === 0) return { response: respond(400, 'not a TLS report: the body is empty') };

  const id = createHash('sha256').update(request.body).digest('hex');
  const refuse = (status: number, reason: string, text: string) => ({
    response: respond(status, text),
    outcome: { outcome: 'rejected', reason, bodySha256: id } as const,
  });
  let report: NormalisedReport;
  try {
    report = parseReportJson(request.body, { maxInputBytes: deps.maxBytes, maxDecompressedBytes: deps.maxBytes });
  } catch (e) {
    if (!(e instanceof ReportRejectedError)) throw e;
    return refuse(400, e.reason, `not a TLS report: ${e.reason}`);
  }

  const own = ownPolicies(report, deps.publishedDomains);
  if (own.policies.length === 0) {
    const domains = [...new Set(report.policies.map((p) => (p.policyDomain ?? 'none').slice(0, 80)))];
    return refuse(
      403,
      `policy domain not published here: ${domains.slice(0, 5).join(', ') || 'none'}`,
      'report is not about a policy domain published here',
    );
  }

  const implausible = implausibility(report, deps.publishedDomains, request.receivedAt);
  if (implausible !== null) {
    return refuse(400, `implausible report: ${implausible}`, `implausible report: ${implausible}`);
  }

  // Accepted: the raw body first, so that the stored reports' `source` always exists.
  const source = `${RAW_HTTPS_PREFIX}${id}`;
  await deps.store.putIfAbsent(source, request.body, mediaType);
  const origin = { source, channel: 'https', receivedAt: request.receivedAt, identity: id } as const;
  const objects = await storeReports([own], origin, deps, deps.countHttps ?? false);
  const created = objects.some((object) => object.created);
  return {
    response: respond(201, created ? 'stored' : 'already stored'),
    outcome: { outcome: 'stored', source, objects: objects.map(({ key, created: c }) => ({ key, created: c })) },
  };
}
