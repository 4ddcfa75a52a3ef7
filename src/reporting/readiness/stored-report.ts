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
  readonly organizationName: string | null;
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

function failureDetail(value: unknown, path: string): FailureDetail {
  const row = object(value, path);
  return {
    resultType: string(row.resultType, `${path}.resultType`),
    sendingMtaIp: nullableString(row.sendingMtaIp, `${path}.sendingMtaIp`),
    receivingMxHostname: nullableString(row.receivingMxHostname, `${path}.receivingMxHostname`),
    receivingMxHelo: nullableString(row.receivingMxHelo, `${path}.receivingMxHelo`),
    receivingIp: nullableString(row.receivingIp, `${path}.receivingIp`),
    failedSessionCount: count(row.failedSessionCount, `${path}.failedSessionCount`),
    additionalInformation: nullableString(row.additionalInformation, `${path}.additionalInformation`),
    failureReasonCode: nullableString(row.failureReasonCode, `${path}.failureReasonCode`),
  };
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
    failureDetails: details.map((row, i) => failureDetail(row, `${path}.failureDetails[${i}]`)),
  };
}

/**
 * Reads one stored report object. The bucket is ours, but a hand-copied or truncated object must become a
 * one-line reason ({@link StoredReportError}), not a crash or a silently wrong count.
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
    organizationName: nullableString(report.organizationName, 'organizationName'),
    dateRange: {
      startDatetime: string(dateRange.startDatetime, 'dateRange.startDatetime'),
      endDatetime: string(dateRange.endDatetime, 'dateRange.endDatetime'),
    },
    policies: report.policies.map((item, i) => policy(item, `policies[${i}]`)),
  };
}
