import type { DateRange, FailureDetail, NormalisedPolicy } from '../parser/model';

/**
 * The parts of a stored report object (`reports/policy-domain=…/date=…/<dedup key>.json`, written by the
 * ingestion Lambda) that the readiness assessment reads.
 */
export interface ReadinessReport {
  /** Present on stored objects; reports with the same key are counted once. */
  readonly dedupKey?: string;
  /** When the report was received (ISO 8601); breaks ties between equally recent policies. */
  readonly receivedAt?: string;
  /**
   * The DKIM domain the ingestion verified and aligned with From (`mail.dkimDomain`), lower-case; null for HTTPS
   * reports (anyone can POST them) and for objects stored before signers were recorded. The report's
   * `organization-name` is not kept: the sender writes it, so it proves nothing.
   */
  readonly signer: string | null;
  readonly dateRange: DateRange;
  readonly policies: readonly NormalisedPolicy[];
}

/** Why a stored object is not a usable report. */
export class StoredReportError extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): never {
  throw new StoredReportError(reason);
}

function string(value: unknown, path: string): string {
  return typeof value === 'string' ? value : fail(`${path} is not a string`);
}

function nullableString(value: unknown, path: string): string | null {
  return value === null || value === undefined ? null : string(value, path);
}

function strings(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${path} is not a list`);
  return value.map((item, i) => string(item, `${path}[${i}]`));
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${path} is not a non-negative integer`);
  }
  return value;
}

function object(value: unknown, path: string): Json {
  return isObject(value) ? value : fail(`${path} is not an object`);
}

/**
 * The failure rows as the assessment counts them: one per result type and receiving MX host, with the sessions
 * added up and the other fields left out, so a report with 100,000 rows costs a few rows of memory. Objects stored
 * before rows left absent fields out have them as `null`.
 */
function failureDetails(rows: unknown[], path: string): FailureDetail[] {
  const merged = new Map<string, FailureDetail>();
  rows.forEach((value, i) => {
    const row = object(value, `${path}[${i}]`);
    const resultType = string(row.resultType, `${path}[${i}].resultType`);
    const receivingMxHostname =
      nullableString(row.receivingMxHostname, `${path}[${i}].receivingMxHostname`) ?? undefined;
    const failedSessionCount = count(row.failedSessionCount, `${path}[${i}].failedSessionCount`);
    const key = JSON.stringify([resultType, receivingMxHostname]);
    const previous = merged.get(key);
    merged.set(key, {
      resultType,
      failedSessionCount: (previous?.failedSessionCount ?? 0) + failedSessionCount,
      ...(receivingMxHostname === undefined ? {} : { receivingMxHostname }),
    });
  });
  return [...merged.values()];
}

function policy(value: unknown, path: string): NormalisedPolicy {
  const item = object(value, path);
  const details = item.failureDetails ?? [];
  if (!Array.isArray(details)) fail(`${path}.failureDetails is not a list`);
  return {
    policyType: string(item.policyType, `${path}.policyType`),
    policyDomain: nullableString(item.policyDomain, `${path}.policyDomain`),
    policyStrings: strings(item.policyStrings, `${path}.policyStrings`),
    mxHosts: strings(item.mxHosts, `${path}.mxHosts`),
    totalSuccessfulSessionCount: count(item.totalSuccessfulSessionCount, `${path}.totalSuccessfulSessionCount`),
    totalFailureSessionCount: count(item.totalFailureSessionCount, `${path}.totalFailureSessionCount`),
    failureDetails: failureDetails(details, `${path}.failureDetails`),
  };
}

/** `mail.dkimDomain` of a mail report; an HTTPS report has no signer whatever its object says. */
function signerOf(report: Json): string | null {
  if (report.channel === 'https' || report.mail === undefined || report.mail === null) return null;
  const signer = nullableString(object(report.mail, 'mail').dkimDomain, 'mail.dkimDomain');
  return signer === null ? null : signer.toLowerCase().replace(/\.$/, '');
}

/**
 * Reads one stored report object, keeping only what the assessment reads (failure rows merged by result type and
 * host), so that the reports of a long window fit in little memory. The bucket is ours, but a hand-copied or
 * truncated object must become a one-line reason ({@link StoredReportError}), not a crash or a silently wrong count.
 */
export function parseStoredReport(text: string): ReadinessReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  const report = object(value, 'the object');
  const dateRange = object(report.dateRange, 'dateRange');
  if (!Array.isArray(report.policies)) fail('policies is not a list');
  return {
    dedupKey: report.dedupKey === undefined ? undefined : string(report.dedupKey, 'dedupKey'),
    receivedAt: report.receivedAt === undefined ? undefined : string(report.receivedAt, 'receivedAt'),
    signer: signerOf(report),
    dateRange: {
      startDatetime: string(dateRange.startDatetime, 'dateRange.startDatetime'),
      endDatetime: string(dateRange.endDatetime, 'dateRange.endDatetime'),
    },
    policies: report.policies.map((item, i) => policy(item, `policies[${i}]`)),
  };
}
