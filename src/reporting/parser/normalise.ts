import { toUtcIso } from './datetime';
import { reject } from './errors';
import { normaliseFailureDetails } from './failure-details';
import { excerpt, isObject, JsonObject, optionalString, requiredString, sessionCount, stringList } from './json-values';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, NormalisedPolicy, NormalisedReport, ReportMail } from './model';
import { jsonSize, OutputBudget } from './output-budget';

const POLICY_TYPES = new Set(['sts', 'tlsa', 'no-policy-found']);

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

/** One of the summary's session counts; 0, with a warning, when it is missing. */
function summaryCount(summary: JsonObject, name: string, path: string, output: OutputBudget): number {
  const sent = summary[name];
  if (typeof sent === 'number' && Number.isSafeInteger(sent) && sent >= 0) return sent;
  const value = sessionCount(sent, `${path}.summary.${name}`);
  if (value === undefined) output.warn(`${path}.summary.${name} is missing; counted as 0`);
  return value ?? 0;
}

function normalisePolicy(
  item: unknown,
  path: string,
  headerDomain: string | null,
  output: OutputBudget,
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

  const output = new OutputBudget(maxBytes);
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
