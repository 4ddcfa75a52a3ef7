import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
// In Lambda the SDK comes from the runtime (left out of the bundle); the CLI uses the bundled dependency.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REJECTED_PREFIX, REPORTS_PREFIX } from './env';
import { dedupKey, NormalisedPolicy, NormalisedReport, ReportRejectedError } from '../parser';

/**
 * How a report arrived: `mail` (SES, DKIM `PASS` required, RFC 8460 §3) or `https` (the Function URL, which
 * anyone can POST to: RFC 8460 §5.4 has no authentication).
 */
export type Channel = 'mail' | 'https';

/** Where a report came from: the raw object it was read from, how and when it was received. */
export interface ReportOrigin {
  /** Key of the raw mail or HTTPS body in the report bucket. */
  readonly source: string;
  readonly channel: Channel;
  /** ISO 8601 UTC receipt time (SES's or the HTTPS request's, so that a retry writes the same bytes). */
  readonly receivedAt: string;
}

/** One stored object: the report with only the policies of one policy domain, plus where it came from. */
export interface StoredReport extends NormalisedReport, ReportOrigin {
  /** {@link channelDedupKey}: the object's file name without `.json`. */
  readonly dedupKey: string;
}

export interface StoredObject {
  readonly key: string;
  /** The `policy-domain=` key segment: the domain, `unknown` or `invalid-<hash>`. */
  readonly policyDomain: string;
  /** False when the object was already there: the report was delivered before. */
  readonly created: boolean;
  readonly report: StoredReport;
}

/** A mail that is not an acceptable report. (HTTPS rejections are only logged: anyone can send them.) */
export interface Rejection {
  /** Unique per input and stable across retries: the SES message id. */
  readonly id: string;
  /** Key of the raw mail in the report bucket. */
  readonly source: string;
  readonly receivedAt: string;
  readonly reason: string;
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})T/;

/**
 * The `policy-domain=` key segment for a policy domain. Domains come from untrusted reports, so anything that is
 * not a plain host name (with a dot) becomes `invalid-<hash>`: never a `/`, never a key that collides with
 * another domain's. A missing domain is `unknown` (a dot-less name, so no real domain can take it).
 */
export function policyDomainSegment(domain: string | null): string {
  if (domain === null) return 'unknown';
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (HOST_NAME.test(name)) return name;
  return `invalid-${createHash('sha256').update(domain, 'utf8').digest('hex').slice(0, 16)}`;
}

/** `YYYY-MM-DD` of an ISO 8601 UTC date-time, or `unknown` for years outside 0000-9999. */
function dateSegment(isoDateTime: string): string {
  return ISO_DATE.exec(isoDateTime)?.[1] ?? 'unknown';
}

/**
 * The dedup key of a report as stored: {@link dedupKey} for mail, `<dedupKey>.https` for HTTPS.
 *
 * The dedup key is predictable (organisation, report-id, date range), and the HTTPS receiver is open to anyone, so a
 * shared key would let a forged HTTPS report take the key of a genuine, DKIM-verified mail report before it arrives;
 * the mail report would then be dropped as "already stored". Each channel therefore deduplicates only against
 * itself: a mail report is always stored and counted, and a report delivered twice over one channel is still stored
 * and counted once. The price: a reporter that sends the same report both by mail and by HTTPS is stored and counted
 * twice (once per channel; the stored objects' `channel` tells them apart). HTTPS reports are unauthenticated by
 * design (RFC 8460 §5.4, §7), so they can never be trusted to stand in for a mail report.
 */
export function channelDedupKey(report: NormalisedReport, channel: Channel): string {
  const key = dedupKey(report);
  return channel === 'mail' ? key : `${key}.${channel}`;
}

export function reportKey(policyDomain: string, startDatetime: string, key: string): string {
  return `${REPORTS_PREFIX}policy-domain=${policyDomain}/date=${dateSegment(startDatetime)}/${key}.json`;
}

export function rejectionKey(receivedAt: string, id: string): string {
  return `${REJECTED_PREFIX}date=${dateSegment(receivedAt)}/${id}.json`;
}

/**
 * Splits a report by policy domain, keeping the policies' order. A report about several domains (Microsoft may
 * mix an MX host's `tlsa` policy with the recipient domain's `sts` policy) becomes one object per domain, so each
 * `policy-domain=` partition holds exactly its own policies. A report without policies is kept, as `unknown`.
 * Warnings still refer to the policies' positions in the report as sent.
 */
export function groupByPolicyDomain(report: NormalisedReport): Map<string, NormalisedPolicy[]> {
  const groups = new Map<string, NormalisedPolicy[]>();
  if (report.policies.length === 0) groups.set(policyDomainSegment(null), []);
  for (const policy of report.policies) {
    const segment = policyDomainSegment(policy.policyDomain);
    const group = groups.get(segment);
    if (group) group.push(policy);
    else groups.set(segment, [policy]);
  }
  return groups;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * The report bucket. Objects are only ever created, never overwritten or deleted, so processing the same input
 * again (a Lambda retry, a report delivered twice) changes nothing and reports `created: false`.
 */
export class ReportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Reads an object whole. One larger than `maxBytes` is rejected from its size alone, before it is read.
   * A missing object is an error (SES writes the mail before it invokes us), not a rejection.
   */
  async read(key: string, maxBytes: number, what: string): Promise<Uint8Array> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const size = response.ContentLength ?? 0;
    if (size > maxBytes) {
      if (response.Body instanceof Readable) response.Body.destroy();
      throw new ReportRejectedError(`${what} is ${size} bytes, over the ${maxBytes}-byte limit`);
    }
    if (!response.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return response.Body.transformToByteArray();
  }

  /**
   * Stores `body` at `key` unless an object is there already; true when it was stored now. Only a conditional PUT
   * (`If-None-Match: *`, answered 412 when the key exists), so that write-only prefixes (`raw/https/`, `rejected/`)
   * need nothing but s3:PutObject.
   */
  async putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: '*' }),
      );
      return true;
    } catch (e) {
      if (statusOf(e) === 412) return false;
      throw e;
    }
  }

  /**
   * Like {@link putIfAbsent}, but looks first (HEAD, which needs s3:GetObject and, for a 404 on a missing key,
   * s3:ListBucket): a duplicate then costs no PUT, and duplicates are caught even by an S3 API without conditional
   * writes. The conditional PUT still settles a race between two invocations.
   */
  async createIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    if (await this.exists(key)) return false;
    return this.putIfAbsent(key, body, contentType);
  }

  /**
   * Stores `report` as one object per policy domain (see {@link groupByPolicyDomain}) under its channel's dedup key
   * (see {@link channelDedupKey}), yielding each object as soon as it is stored, so that the caller can count it
   * before a later put fails.
   */
  async *storeReport(report: NormalisedReport, origin: ReportOrigin): AsyncGenerator<StoredObject> {
    const key = channelDedupKey(report, origin.channel);
    for (const [policyDomain, policies] of groupByPolicyDomain(report)) {
      const content: StoredReport = {
        dedupKey: key,
        source: origin.source,
        channel: origin.channel,
        receivedAt: origin.receivedAt,
        ...report,
        policies,
      };
      const objectKey = reportKey(policyDomain, report.dateRange.startDatetime, key);
      const created = await this.createIfAbsent(objectKey, jsonLine(content), 'application/json');
      yield { key: objectKey, policyDomain, created, report: content };
    }
  }

  /** Records why an input was rejected; false when it had been recorded before. */
  async recordRejection(rejection: Rejection): Promise<{ key: string; created: boolean }> {
    const key = rejectionKey(rejection.receivedAt, rejection.id);
    const content = { source: rejection.source, reason: rejection.reason, receivedAt: rejection.receivedAt };
    return { key, created: await this.putIfAbsent(key, jsonLine(content), 'application/json') };
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }
}
