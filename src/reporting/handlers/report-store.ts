import { Readable } from 'node:stream';
// In Lambda the SDK comes from the runtime (left out of the bundle); the CLI uses the bundled dependency.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { contentHash, groupByPolicyDomain, rejectionKey, reportKey, ReportOrigin, storedDedupKey } from './report-keys';
import { NormalisedReport, ReportMail, ReportRejectedError } from '../parser';

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
