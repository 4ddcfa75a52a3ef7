import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
// In Lambda the SDK comes from the runtime (left out of the bundle); the CLI uses the bundled dependency.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HTTPS_REPORTS_PREFIX, REJECTED_PREFIX, REPORTS_PREFIX } from './env';
import { isPublishedDomain } from './published-domains';
import { normalizeHost } from '../../policy/host-name';
import { dedupKey, NormalisedPolicy, NormalisedReport, ReportMail, ReportRejectedError } from '../parser';

/**
 * How a report arrived: `mail` (SES, then DKIM verified and aligned with From here, RFC 8460 §3) or `https` (the
 * Function URL, which anyone can POST to: RFC 8460 §5.4 has no authentication).
 */
export type Channel = 'mail' | 'https';

/** Where a report came from: the raw object it was read from, how, when and from whom it was received. */
export interface ReportOrigin {
  /** Key of the raw mail or HTTPS body in the report bucket. */
  readonly source: string;
  readonly channel: Channel;
  /** ISO 8601 UTC receipt time (SES's or the HTTPS request's, so that a retry writes the same bytes). */
  readonly receivedAt: string;
  /**
   * What the stored report is keyed by, besides the report itself: for mail the verified DKIM signing domain and
   * the lower-cased From address ({@link mailIdentity}), so that neither another signer nor another mailbox at the
   * reporter's own domain can take a reporter's key first; for HTTPS the SHA-256 (hex) of the body.
   */
  readonly identity: string;
  /**
   * Published policy domains: policies about any other domain are stored together under `policy-domain=other`
   * (one object per report, whatever it names). Absent: every domain gets its own partition (the HTTPS receiver,
   * which keeps only published domains anyway).
   */
  readonly publishedDomains?: readonly string[];
}

/** What the mail path adds to the parser's `mail`: what was checked, by whom. */
export interface VerifiedMail extends ReportMail {
  /** SES's DKIM verdict, as SES gave it: SES does not say for which domain. */
  readonly dkimVerdict: string;
  /** The DKIM `d=` this ingestion verified, aligned with From: the report's signer. */
  readonly dkimDomain: string;
  readonly dkimSelector: string;
}

/** One stored object: the report with only the policies of one policy domain, plus where it came from. */
export interface StoredReport extends NormalisedReport, Omit<ReportOrigin, 'identity' | 'publishedDomains'> {
  /**
   * {@link storedDedupKey}, with `-<content hash>` when another report with other content had the key first: the
   * object's file name without `.json`.
   */
  readonly dedupKey: string;
  readonly mail?: ReportMail | VerifiedMail;
}

/** One stored object: the report with only the policies of one policy domain, plus where it came from. */
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

/** S3 user metadata (`x-amz-meta-content-sha256`) holding {@link contentHash}, read back by HEAD. */
const CONTENT_HASH_METADATA = 'content-sha256';
/** Stored objects are capped at the report size (20 MiB by default) plus a small envelope. */
const MAX_STORED_OBJECT_BYTES = 32 * 1024 * 1024;

/** Attempts at a conditional PUT that S3 answers 409 ConditionalRequestConflict, and the pause between them. */
const CONFLICT_ATTEMPTS = 4;
const CONFLICT_BACKOFF_MS = 50;

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})T/;

/**
 * The `policy-domain=` key segment for a policy domain. Domains come from untrusted reports, so anything that is
 * not a plain host name (with a dot) becomes `invalid-<hash>`: never a `/`, never a key that collides with
 * another domain's. A missing domain is `unknown` (a dot-less name, so no real domain can take it).
 */
export function policyDomainSegment(domain: string | null): string {
  if (domain === null) return 'unknown';
  const name = normalizeHost(domain);
  if (HOST_NAME.test(name)) return name;
  return `invalid-${createHash('sha256').update(domain, 'utf8').digest('hex').slice(0, 16)}`;
}

/** `YYYY-MM-DD` of an ISO 8601 UTC date-time, or `unknown` for years outside 0000-9999. */
function dateSegment(isoDateTime: string): string {
  return ISO_DATE.exec(isoDateTime)?.[1] ?? 'unknown';
}

/**
 * The key a report is stored under.
 *
 * Mail: the parser's {@link dedupKey} (organisation, report-id, date range) is predictable, so it is hashed together
 * with the verified DKIM signer and the From address ({@link mailIdentity}): a report signed by `attacker.example`,
 * or sent from another mailbox at the reporter's own domain, that copies Google's report-id gets another key than
 * Google's, and can never make Google's report a "duplicate". A report delivered twice is stored and counted once;
 * one with the same key but other content is kept beside the first (see {@link ReportStore.storeReport}).
 *
 * HTTPS: the SHA-256 of the body, under their own prefix (`https-reports/`): anyone can POST, so nothing in the
 * report is trusted to identify it. The same report in another encoding is stored again (and, with `httpsCounts`,
 * counted again).
 */
export function storedDedupKey(report: NormalisedReport, origin: Pick<ReportOrigin, 'channel' | 'identity'>): string {
  if (origin.channel === 'https') return origin.identity;
  const identity = JSON.stringify([origin.identity.toLowerCase(), dedupKey(report)]);
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 32);
}

/** The mail identity of {@link ReportOrigin.identity}: the verified signer and the From address, lower-cased. */
export function mailIdentity(signingDomain: string, fromAddress: string | null): string {
  return JSON.stringify([signingDomain.toLowerCase(), (fromAddress ?? '').toLowerCase()]);
}

/**
 * SHA-256 (hex) of what a stored object says about the sessions: who, which report, when, and its policies. Not
 * where or when it arrived, nor the carrying mail or warnings, so a report delivered again has the same hash.
 */
export function contentHash(report: NormalisedReport): string {
  const { organizationName, reportId, contactInfo, dateRange, policies } = report;
  const content = JSON.stringify([organizationName, reportId, contactInfo, dateRange, policies]);
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** `<prefix>policy-domain=<segment>/date=<YYYY-MM-DD>/<key>.json`, the prefix by channel. */
export function reportKey(policyDomain: string, startDatetime: string, key: string, channel: Channel = 'mail'): string {
  const prefix = channel === 'mail' ? REPORTS_PREFIX : HTTPS_REPORTS_PREFIX;
  return `${prefix}policy-domain=${policyDomain}/date=${dateSegment(startDatetime)}/${key}.json`;
}

export function rejectionKey(receivedAt: string, id: string): string {
  return `${REJECTED_PREFIX}date=${dateSegment(receivedAt)}/${id}.json`;
}

/** Where unpublished domains' policies go on the mail path: dot-less, so no real domain can take it. */
export const OTHER_SEGMENT = 'other';

/**
 * Splits a report by policy domain, keeping the policies' order. A report about several domains (Microsoft may
 * mix an MX host's `tlsa` policy with the recipient domain's `sts` policy) becomes one object per domain, so each
 * `policy-domain=` partition holds exactly its own policies. With `published`, every domain that is not published
 * (see {@link isPublishedDomain}) goes into one `other` object, so a report naming many strangers' domains costs one
 * object, not one each. A report without policies is kept, as `unknown` (or `other`).
 * Warnings still refer to the policies' positions in the report as sent.
 */
export function groupByPolicyDomain(
  report: NormalisedReport,
  published?: readonly string[],
): Map<string, NormalisedPolicy[]> {
  const segmentOf = (domain: string | null) =>
    published && !isPublishedDomain(domain, published) ? OTHER_SEGMENT : policyDomainSegment(domain);
  const groups = new Map<string, NormalisedPolicy[]>();
  if (report.policies.length === 0) groups.set(segmentOf(null), []);
  for (const policy of report.policies) {
    const segment = segmentOf(policy.policyDomain);
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
  async putIfAbsent(
    key: string,
    body: Uint8Array | string,
    contentType: string,
    metadata?: Record<string, string>,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            IfNoneMatch: '*',
            ...(metadata ? { Metadata: metadata } : {}),
          }),
        );
        return true;
      } catch (e) {
        if (statusOf(e) === 412) return false;
        // 409 ConditionalRequestConflict: another conditional write to the key was in flight. S3 asks to retry; the
        // retry then finds the other write's object (412) or succeeds.
        if (statusOf(e) !== 409 || attempt >= CONFLICT_ATTEMPTS) throw e;
        await new Promise((resolve) => setTimeout(resolve, CONFLICT_BACKOFF_MS * attempt));
      }
    }
  }

  /**
   * Like {@link putIfAbsent}, but looks first (HEAD, which needs s3:GetObject and, for a 404 on a missing key,
   * s3:ListBucket): a duplicate then costs no PUT, and duplicates are caught even by an S3 API without conditional
   * writes. The conditional PUT still settles a race between two invocations.
   */
  async createIfAbsent(key: string, body: Uint8Array | string, contentType: string, hash?: string): Promise<boolean> {
    if (await this.exists(key)) return false;
    return this.putIfAbsent(key, body, contentType, hash ? { [CONTENT_HASH_METADATA]: hash } : undefined);
  }

  /**
   * Stores `report` as one object per policy domain (see {@link groupByPolicyDomain}) under its channel's dedup key
   * (see {@link storedDedupKey}), yielding each object as soon as it is stored, so that the caller can count it
   * before a later put fails.
   */
  async *storeReport(report: NormalisedReport, origin: ReportOrigin): AsyncGenerator<StoredObject> {
    const key = storedDedupKey(report, origin);
    for (const [policyDomain, policies] of groupByPolicyDomain(report, origin.publishedDomains)) {
      const content: StoredReport = {
        dedupKey: key,
        source: origin.source,
        channel: origin.channel,
        receivedAt: origin.receivedAt,
        ...report,
        policies,
      };
      const hash = contentHash(content);
      const objectKey = reportKey(policyDomain, report.dateRange.startDatetime, key, origin.channel);
      const created = await this.createIfAbsent(objectKey, jsonLine(content), 'application/json', hash);
      // An HTTPS key is the body's hash: the same key is the same report. A mail key is predictable (report-id and
      // sender), so an object there may say something else: keep this report beside it rather than drop it.
      if (created || origin.channel === 'https' || (await this.storedHash(objectKey)) === hash) {
        yield { key: objectKey, policyDomain, created, report: content };
        continue;
      }
      const otherKey = `${key}-${hash.slice(0, 16)}`;
      const other: StoredReport = {
        ...content,
        dedupKey: otherKey,
        warnings: [
          ...content.warnings,
          `another report with the same sender, report-id and date range but other content is stored as ${objectKey}`,
        ],
      };
      const otherObjectKey = reportKey(policyDomain, report.dateRange.startDatetime, otherKey, origin.channel);
      const otherCreated = await this.createIfAbsent(otherObjectKey, jsonLine(other), 'application/json', hash);
      yield { key: otherObjectKey, policyDomain, created: otherCreated, report: other };
    }
  }

  /** The {@link contentHash} of a stored report: from its metadata, or, for older objects, from the report. */
  private async storedHash(key: string): Promise<string> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    const recorded = head.Metadata?.[CONTENT_HASH_METADATA];
    if (recorded !== undefined) return recorded;
    const bytes = await this.read(key, MAX_STORED_OBJECT_BYTES, 'the stored report');
    return contentHash(JSON.parse(Buffer.from(bytes).toString('utf8')) as NormalisedReport);
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
