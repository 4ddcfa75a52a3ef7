import { toUtcIso } from './datetime';
import { reject } from './errors';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, FailureDetail, NormalisedPolicy, NormalisedReport, ReportMail } from './model';
import { RESULT_TYPES } from '../result-types';

const POLICY_TYPES = new Set(['sts', 'tlsa', 'no-policy-found']);

type JsonObject = Record<string, unknown>;

/**
 * What normalizing has produced so far, measured as (at least) the bytes of its JSON, so that a small input
 * cannot expand into a huge stored object: each sparse failure row becomes eight fields.
 */
class Output {
  readonly warnings: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  warn(warning: string): void {
    this.charge(warning.length + 3);
    this.warnings.push(warning);
  }

  charge(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) reject(`normalized report exceeds the ${this.maxBytes}-byte limit`);
  }
}

/** A lower bound of the JSON size of a string, number or null. */
function jsonSize(value: string | number | null): number {
  if (value === null) return 4;
  return typeof value === 'number' ? digits(value) : value.length + 2;
}

/** The digits of a count (a non-negative integer), without making a string of it: there is one per failure row. */
function digits(count: number): number {
  let length = 1;
  for (let rest = count; rest >= 10; rest = Math.floor(rest / 10)) length++;
  return length;
}

/** `{"resultType":,"failedSessionCount":}` and the comma before the next row, without the values. */
const FAILURE_DETAIL_OVERHEAD = '{"resultType":,"failedSessionCount":},'.length;

/** The keys, braces and empty lists of a policy, without the values. */
const POLICY_OVERHEAD = JSON.stringify({
  policyType: '',
  policyDomain: '',
  policyStrings: [],
  mxHosts: [],
  totalSuccessfulSessionCount: 0,
  totalFailureSessionCount: 0,
  failureDetails: [],
}).length;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, printable excerpt of a rejected value for error messages (never walks nested values). */
function excerpt(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Missing, `null`, empty and blank strings all become `null`; other non-strings are rejected. */
function optionalString(value: unknown, path: string): string | null {
  if (typeof value === 'string') return nonBlank(value);
  if (value === undefined || value === null) return null;
  return reject(`${path} must be a string, got ${excerpt(value)}`);
}

/** An optional string in a list (a failure row's `key`, or the item itself); the path is built only when needed. */
function rowString(value: unknown, path: string, i: number, key: string): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (value === undefined || value === null) return null;
  return reject(`${path}[${i}]${key === '' ? '' : `.${key}`} must be a string, got ${excerpt(value)}`);
}

function nonBlank(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

function requiredString(value: unknown, path: string): string {
  return optionalString(value, path) ?? reject(`${path} is missing`);
}

/** A list of strings; a bare string is a one-element list (RFC 8460 Appendix B sends `mx-host` that way). */
function stringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    const item = optionalString(value, path);
    return item === null ? [] : [item];
  }
  const result: string[] = [];
  for (let i = 0; i < value.length; i++) {
    // The item's path is built only for an error message.
    const item = rowString(value[i], path, i, '');
    if (item !== null) result.push(item);
  }
  return result;
}

/** A session count: kept as sent when it is a non-negative integer; `undefined` when missing. */
function count(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    reject(`${path} must be a non-negative integer, got ${excerpt(value)}`);
  }
  return value;
}

function dateTime(value: unknown, path: string): string {
  const text = requiredString(value, path);
  return toUtcIso(text) ?? reject(`${path} is not an RFC 3339 date-time: ${excerpt(text)}`);
}

/** Microsoft packs TLSA records into one element holding a JSON-encoded array of strings. */
function unpackPolicyStrings(strings: string[]): string[] {
  if (strings.length !== 1 || !strings[0].startsWith('[')) return strings;
  try {
    const inner: unknown = JSON.parse(strings[0]);
    if (Array.isArray(inner) && inner.every((s) => typeof s === 'string')) {
      return (inner as string[]).map((s) => s.trim()).filter((s) => s !== '');
    }
  } catch {
    // Not JSON after all: keep the line as sent.
  }
  return strings;
}

/** Google-like anonymised reports repeat the policy line (`mx: host`) in `mx-host`. */
function stripMxPrefix(host: string): string {
  return MX_PREFIX.test(host) ? host.replace(MX_PREFIX, '') : host;
}

const MX_PREFIX = /^mx:\s*/i;

function normaliseFailureDetails(
  value: unknown,
  path: string,
  output: Output,
  unknownResultTypes: Set<string>,
): FailureDetail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) reject(`${path} is not a list`);
  let missingCounts = 0;
  const details = value.map((row: unknown, i): FailureDetail => {
    if (!isObject(row)) reject(`${path}[${i}] is not an object`);
    // Rows are many: their paths are built only for an error message, and each member is read by a constant key.
    const resultType =
      rowString(row['result-type'], path, i, 'result-type') ?? reject(`${path}[${i}].result-type is missing`);
    if (!RESULT_TYPES.has(resultType)) unknownResultTypes.add(resultType);
    const sessions = row['failed-session-count'];
    const failedSessionCount =
      typeof sessions === 'number' && Number.isSafeInteger(sessions) && sessions >= 0
        ? sessions
        : count(sessions, `${path}[${i}].failed-session-count`);
    if (failedSessionCount === undefined) missingCounts++;
    const detail: { -readonly [K in keyof FailureDetail]: FailureDetail[K] } = {
      resultType,
      failedSessionCount: failedSessionCount ?? 0,
    };
    // Absent strings are left out: they are most of a sparse row, and of the output. Rows are many, so each string
    // is stored by a constant key and its JSON size (`,"key":"value"`) added here rather than through helpers.
    let size = FAILURE_DETAIL_OVERHEAD + jsonSize(resultType) + jsonSize(detail.failedSessionCount);
    let text = rowString(row['sending-mta-ip'], path, i, 'sending-mta-ip');
    if (text !== null) {
      detail.sendingMtaIp = text;
      size += 'sendingMtaIp'.length + 6 + text.length;
    }
    text = rowString(row['receiving-mx-hostname'], path, i, 'receiving-mx-hostname');
    if (text !== null) {
      detail.receivingMxHostname = text;
      size += 'receivingMxHostname'.length + 6 + text.length;
    }
    text = rowString(row['receiving-mx-helo'], path, i, 'receiving-mx-helo');
    if (text !== null) {
      detail.receivingMxHelo = text;
      size += 'receivingMxHelo'.length + 6 + text.length;
    }
    text = rowString(row['receiving-ip'], path, i, 'receiving-ip');
    if (text !== null) {
      detail.receivingIp = text;
      size += 'receivingIp'.length + 6 + text.length;
    }
    text = rowString(row['additional-information'], path, i, 'additional-information');
    if (text !== null) {
      detail.additionalInformation = text;
      size += 'additionalInformation'.length + 6 + text.length;
    }
    text = rowString(row['failure-reason-code'], path, i, 'failure-reason-code');
    if (text !== null) {
      detail.failureReasonCode = text;
      size += 'failureReasonCode'.length + 6 + text.length;
    }
    output.charge(size);
    return detail;
  });
  if (missingCounts > 0) {
    output.warn(`${path}: ${missingCounts} row(s) without failed-session-count, counted as 0`);
  }
  return details;
}

/** One of the summary's session counts; 0, with a warning, when it is missing. */
function summaryCount(summary: JsonObject, name: string, path: string, output: Output): number {
  const sent = summary[name];
  if (typeof sent === 'number' && Number.isSafeInteger(sent) && sent >= 0) return sent;
  const value = count(sent, `${path}.summary.${name}`);
  if (value === undefined) output.warn(`${path}.summary.${name} is missing; counted as 0`);
  return value ?? 0;
}

function normalisePolicy(
  item: unknown,
  path: string,
  headerDomain: string | null,
  output: Output,
  unknownResultTypes: Set<string>,
): NormalisedPolicy {
  if (!isObject(item)) reject(`${path} is not an object`);
  const policy = item.policy;
  if (!isObject(policy)) reject(`${path}.policy is missing or not an object`);
  const policyType = requiredString(policy['policy-type'], `${path}.policy.policy-type`);
  if (!POLICY_TYPES.has(policyType)) {
    output.warn(`${path}.policy.policy-type ${excerpt(policyType)} is not a registered policy type`);
  }

  let policyDomain = optionalString(policy['policy-domain'], `${path}.policy.policy-domain`)?.toLowerCase() ?? null;
  if (policyDomain === null && headerDomain !== null) {
    policyDomain = headerDomain;
    output.warn(`${path}.policy.policy-domain is missing; taken from the TLS-Report-Domain header`);
  }

  const summary = item.summary ?? {};
  if (!isObject(summary)) reject(`${path}.summary is not an object`);
  const totalSuccessfulSessionCount = summaryCount(summary, 'total-successful-session-count', path, output);
  const totalFailureSessionCount = summaryCount(summary, 'total-failure-session-count', path, output);

  const failureDetails = normaliseFailureDetails(
    item['failure-details'],
    `${path}.failure-details`,
    output,
    unknownResultTypes,
  );
  if (failureDetails.length > 0) {
    const sum = failureDetails.reduce((total, row) => total + row.failedSessionCount, 0);
    if (sum !== totalFailureSessionCount) {
      output.warn(
        `${path}: total-failure-session-count is ${totalFailureSessionCount} but failure-details add up to ${sum}`,
      );
    }
  }

  const policyStrings = unpackPolicyStrings(stringList(policy['policy-string'], `${path}.policy.policy-string`));
  const mxHosts = stringList(policy['mx-host'], `${path}.policy.mx-host`).map(stripMxPrefix);
  let size =
    POLICY_OVERHEAD +
    jsonSize(policyType) +
    jsonSize(policyDomain) +
    jsonSize(totalSuccessfulSessionCount) +
    jsonSize(totalFailureSessionCount);
  for (const text of policyStrings) size += jsonSize(text) + 1;
  for (const text of mxHosts) size += jsonSize(text) + 1;
  output.charge(size);
  return {
    policyType,
    policyDomain,
    policyStrings,
    mxHosts,
    totalSuccessfulSessionCount,
    totalFailureSessionCount,
    failureDetails,
  };
}

/** The domain part of an address, lower-cased, or null. */
function addressDomain(address: string | null): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at >= 0 ? address.slice(at + 1).toLowerCase() : null;
}

/**
 * Validates one parsed TLS-RPT JSON document and returns its normalised form.
 * Throws {@link ReportRejectedError} when it is not a usable report, or when its normalized form would take more
 * than `maxBytes` as JSON.
 */
export function normaliseReport(
  json: unknown,
  mail?: ReportMail,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): NormalisedReport {
  if (!isObject(json)) reject('not a TLS-RPT report: the JSON is not an object');
  if (!('policies' in json)) reject('not a TLS-RPT report: "policies" is missing');
  const policies = json.policies;
  if (!Array.isArray(policies)) reject('policies is not a list');

  const reportId = requiredString(json['report-id'], 'report-id');
  const range = json['date-range'];
  if (!isObject(range)) reject('date-range is missing or not an object');
  const dateRange = {
    startDatetime: dateTime(range['start-datetime'], 'date-range.start-datetime'),
    endDatetime: dateTime(range['end-datetime'], 'date-range.end-datetime'),
  };

  const output = new Output(maxBytes);
  if (dateRange.startDatetime > dateRange.endDatetime) {
    output.warn('date-range.start-datetime is after date-range.end-datetime');
  }
  const contactInfo = optionalString(json['contact-info'], 'contact-info');
  if (policies.length === 0) output.warn('policies is empty');

  const unknownResultTypes = new Set<string>();
  const headerDomain = mail?.tlsReportDomain ?? null;
  const normalisedPolicies = policies.map((item: unknown, i) =>
    normalisePolicy(item, `policies[${i}]`, headerDomain, output, unknownResultTypes),
  );
  for (const type of unknownResultTypes) {
    output.warn(`result-type ${excerpt(type)} is not a registered result type`);
  }

  // RFC 8460 §5.3: the submitter MUST be the contact-info domain; mail.ru sends a parent domain.
  const contactDomain = addressDomain(contactInfo);
  const submitter = mail?.tlsReportSubmitter ?? null;
  if (contactDomain && submitter && contactDomain !== submitter && !contactDomain.endsWith(`.${submitter}`)) {
    output.warn(`contact-info domain ${contactDomain} does not match the TLS-Report-Submitter header ${submitter}`);
  }

  return {
    organizationName: optionalString(json['organization-name'], 'organization-name'),
    reportId,
    contactInfo,
    dateRange,
    policies: normalisedPolicies,
    warnings: output.warnings,
    ...(mail ? { mail } : {}),
  };
}
