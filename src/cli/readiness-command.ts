import { parseArgs } from 'node:util';
import { asUsageError, CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cli-io';
import { ReadError, readReports, s3Client } from './stored-reports';
import { CheckReport } from '../check/check-result';
import { formatCheckReport } from '../check/format';
import { foldLiveCheck } from '../check/readiness-live';
import { checkDomain } from '../check/run-checks';
import { normalizeDomainName, normalizeMxPattern } from '../policy/domain-name';
import { HTTPS_REPORTS_PREFIX, REPORTS_PREFIX } from '../reporting/handlers/env';
import {
  assessReadiness,
  DEFAULT_DAYS,
  DEFAULT_MAX_FAILURE_RATE_PERCENT,
  DEFAULT_MIN_SESSIONS,
  formatReadiness,
  MIN_DAYS,
  ReadinessReport,
  windowDates,
} from '../reporting/readiness';

const MAX_DAYS = 366;
// Verdict (0 ready, 1 not ready) or none: 2 for usage errors and when the reports could not be read.
const EXIT_NOT_READY = EXIT_FAILED;
const EXIT_NO_VERDICT = EXIT_USAGE;

export const READINESS_USAGE = `Usage: cdk-mta-sts readiness --bucket BUCKET --domain DOMAIN [options]

Reads the TLS-RPT reports that TlsReportIngestion stored in BUCKET for DOMAIN over the last days
(reports/policy-domain=DOMAIN/date=YYYY-MM-DD/) and says whether the MTA-STS policy can move from
testing to enforce. Ready when all of these hold:
  - reports on at least half the days of the window, and on at least ${MIN_DAYS} days
  - at least --min-sessions sessions, and a failure rate below --max-failure-rate
  - no MTA-STS policy errors (sts-policy-fetch-error, sts-policy-invalid, sts-webpki-invalid)
  - no TLS failures (starttls-not-supported, certificate-*, validation-failure) on MX hosts
    the policy covers, or on hosts a report does not name
  - every MX host named in the reports is covered by the policy's mx patterns
  - some report shows the sts policy, its mx patterns are known, and every stored report was read
Only sts and no-policy-found policy rows count; tlsa (DANE) rows are listed but not counted.
Only reports from DKIM-verified mail count, unless --include-https: anyone can POST a report.
Any domain owner can sign a report: --trusted-reporters counts only the reporters you name.

Options:
  --bucket BUCKET             the report bucket
  --domain DOMAIN             the policy domain, e.g. example.com
  --days N                    the window: the N UTC days before today (default ${DEFAULT_DAYS}, ${MIN_DAYS} to ${MAX_DAYS})
  --mx PATTERN                the policy's mx patterns, repeatable (default: the mx lines of the
                              most recent sts policy in the reports)
  --min-sessions N            default ${DEFAULT_MIN_SESSIONS}
  --max-failure-rate PERCENT  default ${DEFAULT_MAX_FAILURE_RATE_PERCENT} (the rate must be below it)
  --include-https             also count the unauthenticated HTTPS reports (https-reports/)
  --trusted-reporters D1,D2   count only mail reports whose verified DKIM signer is one of these
                              domains or a subdomain (e.g. google.com,microsoft.com); the latest
                              policy's mx patterns then come only from them too
  --live                      also check the domain live, as "cdk-mta-sts check DOMAIN" does;
                              any failed check (an MX certificate, the policy fetch, ...) makes it not ready
  --json                      print the assessment as JSON
  -h, --help                  show this help

AWS credentials and region come from the usual sources (environment, profile, SSO, instance role);
AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL selects another S3 API (path-style requests).

Exit status: 0 ready, 1 not ready, 2 on usage errors or when the reports could not be read.
`;

const HELP_HINT = '(see "cdk-mta-sts readiness --help")';

const OPTIONS = {
  bucket: { type: 'string' },
  domain: { type: 'string' },
  days: { type: 'string' },
  mx: { type: 'string', multiple: true },
  'min-sessions': { type: 'string' },
  'max-failure-rate': { type: 'string' },
  'include-https': { type: 'boolean' },
  'trusted-reporters': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  live: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Options {
  readonly bucket: string;
  readonly domain: string;
  readonly days: number;
  readonly mx: string[];
  readonly minSessions: number;
  readonly maxFailureRatePercent: number;
  readonly includeHttps: boolean;
  readonly trustedReporters: string[];
  readonly json: boolean;
  readonly live: boolean;
}

/** What tests replace; `main` passes nothing. */
export interface ReadinessCommandDeps {
  readonly now?: () => Date;
  /** The live check of `--live`; `cdk-mta-sts check`'s by default. */
  readonly checkLive?: (domain: string) => Promise<CheckReport>;
}

/**
 * `cdk-mta-sts readiness`: reads a domain's stored TLS-RPT reports from S3 and says whether it can move to
 * `enforce`. Resolves to 0 (ready), 1 (not ready) or 2 (usage error, or the reports could not be read).
 */
export async function runReadinessCommand(args: string[], io: CliIo, deps: ReadinessCommandDeps = {}): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cdk-mta-sts readiness: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    io.stdout.write(READINESS_USAGE);
    return EXIT_OK;
  }

  const now = (deps.now ?? (() => new Date()))();
  let stored: { reports: ReadinessReport[]; unreadable: { key: string; reason: string }[] };
  try {
    const prefixes = options.includeHttps ? [REPORTS_PREFIX, HTTPS_REPORTS_PREFIX] : [REPORTS_PREFIX];
    const dates = windowDates(now, options.days);
    stored = await readReports(await s3Client(), options.bucket, options.domain, dates, prefixes);
  } catch (e) {
    if (!(e instanceof ReadError)) throw e;
    io.stderr.write(`cdk-mta-sts readiness: ${oneLine(e.message)}\n`);
    return EXIT_NO_VERDICT;
  }
  for (const { key, reason } of stored.unreadable) {
    io.stderr.write(`cdk-mta-sts readiness: skipped s3://${options.bucket}/${key}: ${reason}\n`);
  }

  const assessment = assessReadiness(stored.reports, {
    domain: options.domain,
    days: options.days,
    now,
    mxPatterns: options.mx,
    minSessions: options.minSessions,
    maxFailureRatePercent: options.maxFailureRatePercent,
    unreadableReports: stored.unreadable.length,
    trustedReporters: options.trustedReporters,
  });
  if (!options.live) {
    io.stdout.write(options.json ? JSON.stringify(assessment, null, 2) + '\n' : formatReadiness(assessment));
    return assessment.ready ? EXIT_OK : EXIT_NOT_READY;
  }
  const live = await (deps.checkLive ?? ((domain: string) => checkDomain(domain)))(options.domain);
  const folded = foldLiveCheck(assessment, live);
  io.stdout.write(
    options.json ? JSON.stringify(folded, null, 2) + '\n' : `${formatReadiness(folded)}\n${formatCheckReport(live)}`,
  );
  return folded.ready ? EXIT_OK : EXIT_NOT_READY;
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} ${HELP_HINT}`);
  }
}

function parseOptions(args: string[]): Options | 'help' {
  const values = parseFlags(args);
  if (values.help) return 'help';
  const bucket = required(values.bucket, '--bucket');
  // S3 bucket names never contain these; catching them here beats an obscure signature error later.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`Invalid --bucket ${JSON.stringify(bucket)}: not an S3 bucket name ${HELP_HINT}`);
  }
  return {
    bucket,
    domain: asUsageError(() => normalizeDomainName(required(values.domain, '--domain'), 'domain')),
    days: wholeNumber(values.days, '--days', DEFAULT_DAYS, MIN_DAYS, MAX_DAYS),
    mx: [...new Set((values.mx ?? []).map((mx) => asUsageError(() => normalizeMxPattern(mx, 'mx'))))],
    minSessions: wholeNumber(
      values['min-sessions'],
      '--min-sessions',
      DEFAULT_MIN_SESSIONS,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    maxFailureRatePercent: percent(values['max-failure-rate']),
    includeHttps: values['include-https'] ?? false,
    trustedReporters: trustedReporters(values['trusted-reporters'] ?? []),
    json: values.json ?? false,
    live: values.live ?? false,
  };
}

/** `--trusted-reporters a.example,b.example` (repeatable), normalized, without duplicates. */
function trustedReporters(values: string[]): string[] {
  const names = values.flatMap((value) => value.split(',')).map((name) => name.trim());
  if (values.length > 0 && names.every((name) => name === '')) {
    throw new UsageError(`Invalid --trusted-reporters: no domain given ${HELP_HINT}`);
  }
  const domains = names
    .filter((name) => name !== '')
    .map((name) => asUsageError(() => normalizeDomainName(name, 'trusted-reporters')));
  return [...new Set(domains)];
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${flag} ${HELP_HINT}`);
  return value;
}

function wholeNumber(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`Invalid ${flag} ${JSON.stringify(text)}: must be a whole number ${range}`);
  }
  return n;
}

/** A percentage such as `1`, `0.5` or `0.5%`; 0 is refused, since no rate is below it. */
function percent(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_FAILURE_RATE_PERCENT;
  const match = /^([0-9]+(?:\.[0-9]+)?)%?$/.exec(text);
  const n = match ? Number(match[1]) : NaN;
  if (!(n > 0 && n <= 100)) {
    throw new UsageError(
      `Invalid --max-failure-rate ${JSON.stringify(text)}: must be a percentage above 0 and at most 100`,
    );
  }
  return n;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}
