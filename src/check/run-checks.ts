import { CheckReport, CheckResult, fail, pass, skip } from './check-result';
import { checkMxCoverage, MxLookup } from './mx-coverage';
import { checkMxTls, mxTlsId } from './mx-tls';
import { createDnsClient, DnsClient, DnsError } from './net/dns-client';
import { httpsGet } from './net/https-get';
import { probeStartTls } from './net/smtp-starttls';
import { checkPolicyFetch, POLICY_FETCH } from './policy-fetch';
import { checkPolicySyntax, POLICY_SYNTAX } from './policy-syntax';
import { checkStsRecords, STS_RECORD } from './sts-record';
import { checkTlsRptRecords, TLSRPT_RECORD } from './tlsrpt-record';
import { DANE, verdictOf } from './verdict';
import { MAX_POLICY_BYTES } from '../policy/limits';
import { POLICY_PATH, policyUrl } from '../policy/policy-object';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const SMTP_PORT = 25;
/** MX hosts probed and looked up for TLSA; a longer MX list is reported, not probed. */
export const MAX_MX_PROBES = 10;

export interface CheckOptions {
  /** Per network step. */
  readonly timeoutMs?: number;
  /** Probe the MX hosts over SMTP (the canary cannot: Lambda blocks outbound port 25). */
  readonly smtp?: boolean;
  readonly smtpPort?: number;
  /** Resolvers as `IP` or `IP:PORT`; the system's by default. */
  readonly resolvers?: readonly string[];
  readonly now?: () => Date;
}

/**
 * Checks a live domain the way a strict RFC 8461 sender would, every step with a deadline whose failure is a
 * check result. `domain` must already be normalized. Never rejects on network trouble.
 */
export async function checkDomain(domain: string, options: CheckOptions = {}): Promise<CheckReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const smtpPort = options.smtpPort ?? SMTP_PORT;
  const dns = createDnsClient({ servers: options.resolvers, timeoutMs });
  const policyHost = `mta-sts.${domain}`;
  const url = policyUrl(policyHost);

  // Independent lookups run together, so a resolver that never answers costs one timeout, not four.
  const [stsRecords, fetched, mx, tlsRptRecords] = await Promise.all([
    settle(dns.txt(`_mta-sts.${domain}`)),
    httpsGet(policyHost, POLICY_PATH, { lookup: dns.lookup, timeoutMs, maxBytes: MAX_POLICY_BYTES, now: options.now }),
    settle(dns.mx(domain)),
    settle(dns.txt(`_smtp._tls.${domain}`)),
  ]);

  const sts = stsRecords.ok
    ? checkStsRecords(stsRecords.value)
    : { result: fail(STS_RECORD, stsRecords.problem), id: null };
  const fetch = checkPolicyFetch(url, fetched);
  const syntax =
    fetch.text === undefined
      ? { result: skip(POLICY_SYNTAX, `no policy file to read (${POLICY_FETCH} failed)`), policy: undefined }
      : checkPolicySyntax(fetch.text);
  const mxLookup: MxLookup = mx.ok ? { ok: true, hosts: mx.value } : { ok: false, problem: mx.problem };
  const hosts = mx.ok ? [...new Set(mx.value.filter((host) => host !== ''))] : [];
  const probed = hosts.slice(0, MAX_MX_PROBES);

  const [mxTls, dane] = await Promise.all([
    Promise.all(probed.map((host) => checkHostTls(host, dns, { ...options, timeoutMs, smtpPort }))),
    checkDane(probed, dns),
  ]);
  const unprobed = hosts
    .slice(MAX_MX_PROBES)
    .map((host) => skip(mxTlsId(host), `not checked: only the first ${MAX_MX_PROBES} MX hosts are`));

  const checks: CheckResult[] = [
    sts.result,
    fetch.result,
    syntax.result,
    checkMxCoverage(mxLookup, syntax.policy),
    ...mxTls,
    ...unprobed,
    tlsRptRecords.ok ? checkTlsRptRecords(tlsRptRecords.value) : fail(TLSRPT_RECORD, tlsRptRecords.problem),
    dane,
  ];
  const policy = syntax.policy
    ? { id: sts.id, mode: syntax.policy.mode, mx: [...syntax.policy.mx], maxAge: syntax.policy.maxAgeSeconds }
    : null;
  return { domain, verdict: verdictOf(checks), checks, policy };
}

async function checkHostTls(
  host: string,
  dns: DnsClient,
  options: CheckOptions & { timeoutMs: number; smtpPort: number },
): Promise<CheckResult> {
  if (options.smtp === false) return skip(mxTlsId(host), 'not checked (SMTP probes are off)');
  const outcome = await probeStartTls(host, {
    port: options.smtpPort,
    lookup: dns.lookup,
    timeoutMs: options.timeoutMs,
    now: options.now,
  });
  return checkMxTls(host, options.smtpPort, outcome);
}

/** Information only: which MX hosts publish TLSA records at `_25._tcp.<host>` (RFC 7672). */
async function checkDane(hosts: readonly string[], dns: DnsClient): Promise<CheckResult> {
  if (hosts.length === 0) return skip(DANE, 'no MX hosts to look up');
  const counts = await Promise.all(hosts.map((host) => settle(dns.tlsa(`_25._tcp.${host}`))));
  const withTlsa = hosts.filter((_, i) => counts[i].ok && (counts[i] as { value: number }).value > 0);
  const failed = hosts.filter((_, i) => !counts[i].ok);
  const parts = [
    withTlsa.length > 0 ? `TLSA records for ${withTlsa.join(', ')}` : 'no TLSA records: DANE is not in use',
    ...(failed.length > 0 ? [`lookup failed for ${failed.join(', ')}`] : []),
  ];
  return pass(DANE, parts.join('; '));
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    if (error instanceof DnsError) return { ok: false, problem: error.message };
    return { ok: false, problem: `unexpected error: ${(error as Error).message}` };
  }
}
