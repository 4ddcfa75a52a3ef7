/**
 * A throwaway MTA-STS "internet" for interop tests.
 *
 * Two network namespaces joined by a veth pair:
 *   server ns: dnsmasq (TXT, MX, A, CNAME, TLSA records), nginx (HTTPS policy file, cert from a per-lab CA)
 *              and, when the lab has MX hosts, one Node process (test/interop/smtp-lab-server.js) running the
 *              npm smtp-server on port 25 of each MX address plus a DNS server that never answers.
 *   client ns: Debian's `mta-sts-query` (postfix-mta-sts-resolver), or any command given to `exec` (the check
 *              CLI), resolving through our dnsmasq and trusting our CA.
 *
 * Nothing here talks to the real network: every address lives inside namespaces we create.
 * Needs root and: ip, ss (iproute2), unshare (util-linux), dnsmasq, nginx, openssl, mta-sts-query.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PublishedMtaSts {
  /** Policy domain, e.g. `example.com`. Keep it under a reserved name (example.com, *.test). */
  readonly domain: string;
  /** `_mta-sts.<domain>` TXT value. An array publishes one TXT record per entry (empty: no record). */
  readonly stsTxt: string | readonly string[];
  /** Optional `_smtp._tls.<domain>` TXT value. */
  readonly tlsRptTxt?: string;
  /** Exact bytes (UTF-8) served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
  readonly policyText: string;
  /** Content-Type of the policy response. Default `text/plain`. */
  readonly contentType?: string;
  /** DNS name in the leaf certificate. Default `mta-sts.<domain>`; override to test name checks. */
  readonly certName?: string;
  /** How the policy host's certificate is issued. Default `valid`. */
  readonly certKind?: LabCertKind;
  /** Answer the policy URL with a 301 to this URL instead of the file. */
  readonly redirectTo?: string;
  /** MX records of the domain and what listens on port 25 behind each (default: no MX record). */
  readonly mx?: readonly LabMx[];
  /** More CNAME records: owner name -> target (the target must have records in the lab). */
  readonly cnames?: Readonly<Record<string, string>>;
  /** More TXT records: owner name -> values (one record per value). */
  readonly txt?: Readonly<Record<string, readonly string[]>>;
}

/**
 * - `valid`: issued by the lab CA for 90 days (NODE_EXTRA_CA_CERTS / SSL_CERT_FILE trust it);
 * - `expired`: issued by the lab CA, valid only in January 2020;
 * - `untrusted`: self-signed, so no chain to the lab CA.
 */
export type LabCertKind = 'valid' | 'expired' | 'untrusted';

/** One MX host: a record `MX <preference> <host>`, an address of its own and an SMTP server there. */
export interface LabMx {
  /** Host name, e.g. `mx1.example.com`. */
  readonly host: string;
  /** Default 10. */
  readonly preference?: number;
  /** What listens on port 25: STARTTLS (default), SMTP without STARTTLS, or nothing (connection refused). */
  readonly smtp?: 'starttls' | 'plain' | 'closed';
  /** DNS name in the server's certificate. Default `host`. */
  readonly certName?: string;
  /** Default `valid`. */
  readonly certKind?: LabCertKind;
  /** Publish a TLSA record at `_25._tcp.<host>`. */
  readonly tlsa?: boolean;
}

/** `STSFetchResult` names printed by postfix-mta-sts-resolver. */
export type FetchStatus = 'NONE' | 'VALID' | 'FETCH_ERROR' | 'NOT_CHANGED';

export interface ResolvedPolicy {
  /** True only when the resolver reported `STSFetchResult.VALID`. */
  readonly valid: boolean;
  readonly status: FetchStatus;
  /** Policy id from the TXT record (only when valid). */
  readonly id?: string;
  readonly mode?: string;
  readonly mx?: string[];
  readonly maxAge?: number;
  /** Every parsed policy field, as the resolver reported it. */
  readonly fields?: Record<string, unknown>;
  /** The resolver's stdout, trimmed. */
  readonly raw: string;
  /** The resolver's stderr (its warnings explain FETCH_ERROR). */
  readonly log: string;
}

export interface MtaStsLab {
  /** Runs `mta-sts-query <domain> [knownId]` in the client namespace. */
  resolve(domain: string, knownId?: string): Promise<ResolvedPolicy>;
  /**
   * Runs a command in the client namespace with a minimal environment plus `env`; `NODE_EXTRA_CA_CERTS` and
   * `SSL_CERT_FILE` point at the lab CA. Resolves with its exit code and output (it never rejects on a non-zero exit).
   */
  exec(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>;
  /** dnsmasq and nginx output so far, for failure messages. */
  serverLogs(): string;
}

/** A DNS server in the lab that receives queries and never answers: point a resolver at it to time out. */
export const SILENT_DNS_IP = '192.0.2.53';

const STEP_TIMEOUT_MS = 5_000;
const RESOLVE_TIMEOUT_MS = 15_000; // resolver's own timeout is 4 s per step (DNS, HTTPS)
const SERVER_IP = '192.0.2.1'; // TEST-NET-1; only ever exists inside our namespaces
const CLIENT_IP = '192.0.2.2';
const PREFIX_LENGTH = 24;
/** MX host number i listens on 192.0.2.(10 + i). */
const mxIp = (index: number) => `192.0.2.${10 + index}`;
const SMTP_HELPER = path.join(__dirname, 'smtp-lab-server.js');
const ETC_NETNS = '/etc/netns';
const LOG_LIMIT = 64 * 1024;

const TOOLS = ['ip', 'ss', 'unshare', 'dnsmasq', 'nginx', 'openssl', 'mta-sts-query'] as const;
type Tool = (typeof TOOLS)[number];

// sbin dirs are often missing from a non-login PATH.
const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_PATH];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let toolPaths: Record<Tool, string> | undefined;
let unavailable: { reason: string | undefined } | undefined;

/** Why the lab cannot run here, or undefined when it can (root, all binaries, namespaces allowed). */
export function labUnavailableReason(): string | undefined {
  if (unavailable) return unavailable.reason;
  unavailable = { reason: computeUnavailableReason() };
  return unavailable.reason;
}

function computeUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux network namespaces (platform is ${process.platform})`;
  if (process.getuid?.() !== 0) return `needs root for ip netns (uid is ${process.getuid?.()})`;
  const found: Partial<Record<Tool, string>> = {};
  const missing: string[] = [];
  for (const tool of TOOLS) {
    const p = findTool(tool);
    if (p) found[tool] = p;
    else missing.push(tool);
  }
  if (missing.length > 0) {
    return (
      `missing binaries: ${missing.join(', ')} (apt-get install -y --no-install-recommends ` +
      'postfix-mta-sts-resolver dnsmasq-base nginx-light iproute2 openssl)'
    );
  }
  // Root in an unprivileged container has no CAP_SYS_ADMIN; probe without leaving anything behind.
  const probe = spawnSync(found.unshare!, ['--net', 'true'], { timeout: STEP_TIMEOUT_MS, encoding: 'utf8' });
  if (probe.status !== 0) {
    return `cannot create network namespaces (unshare --net: ${(probe.stderr || String(probe.error)).trim()})`;
  }
  toolPaths = found as Record<Tool, string>;
  return undefined;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with a hard timeout; never uses a shell. */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const timeoutMs = opts.timeoutMs ?? STEP_TIMEOUT_MS;
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${cmd} ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustRun(cmd: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await run(cmd, args, { timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

interface Daemon {
  name: string;
  child: ChildProcess;
  output: string;
  exited: Promise<void>;
  done: boolean;
}

function startDaemon(name: string, cmd: string, args: string[]): Daemon {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const daemon: Daemon = { name, child, output: '', exited: Promise.resolve(), done: false };
  const append = (d: string) => {
    if (daemon.output.length < LOG_LIMIT) daemon.output += d;
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  daemon.exited = new Promise((resolve) => {
    child.on('error', (err) => append(`spawn error: ${err.message}\n`));
    child.on('close', (code, signal) => {
      daemon.done = true;
      append(`[${name} exited code=${code} signal=${signal}]\n`);
      resolve();
    });
  });
  return daemon;
}

async function stopDaemon(d: Daemon): Promise<void> {
  if (d.done || d.child.exitCode !== null) return;
  d.child.kill('SIGTERM');
  const timedOut = await Promise.race([
    d.exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 2_000).unref()),
  ]);
  if (timedOut) {
    d.child.kill('SIGKILL');
    await Promise.race([d.exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
  }
}

/** Everything one lab created, so cleanup (normal or at process exit) can undo exactly that. */
interface LabState {
  id: string;
  dir?: string;
  namespaces: string[];
  netnsEtcDir?: string;
  daemons: Daemon[];
}

const liveLabs = new Set<LabState>();
let exitHookInstalled = false;

// Last resort if the worker exits mid-test (e.g. jest timeout + forced exit): synchronous, best effort.
function exitHook(): void {
  for (const lab of liveLabs) {
    for (const d of lab.daemons) if (!d.done) d.child.kill('SIGKILL');
    for (const ns of lab.namespaces) spawnSync(toolPaths?.ip ?? 'ip', ['netns', 'del', ns], { timeout: 2_000 });
    if (lab.netnsEtcDir) fs.rmSync(lab.netnsEtcDir, { recursive: true, force: true });
    if (lab.dir) fs.rmSync(lab.dir, { recursive: true, force: true });
  }
}

async function cleanup(lab: LabState, ip: string): Promise<string[]> {
  const errors: string[] = [];
  const attempt = async (what: string, f: () => Promise<unknown> | unknown) => {
    try {
      await f();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  // Processes first: a namespace only really goes away once nothing runs inside it.
  for (const d of lab.daemons) await attempt(`stop ${d.name}`, () => stopDaemon(d));
  // Deleting a namespace destroys the veth end inside it (and so the pair).
  for (const ns of [...lab.namespaces].reverse()) {
    await attempt(`delete netns ${ns}`, () => mustRun(ip, ['netns', 'del', ns]));
  }
  if (lab.netnsEtcDir) {
    const dir = lab.netnsEtcDir;
    await attempt(`remove ${dir}`, () => fs.promises.rm(dir, { recursive: true, force: true }));
    // Only removes /etc/netns when no other lab (or anyone else) still uses it.
    await fs.promises.rmdir(ETC_NETNS).catch(() => undefined);
  }
  if (lab.dir) {
    const dir = lab.dir;
    await attempt(`remove ${dir}`, () => fs.promises.rm(dir, { recursive: true, force: true }));
  }
  liveLabs.delete(lab);
  return errors;
}

function assertDomain(domain: string): void {
  if (!/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i.test(domain)) {
    throw new Error(`not a plain DNS name: ${JSON.stringify(domain)}`);
  }
}

/** dnsmasq config-file quoting; TXT strings are at most 255 octets, so long values become several strings. */
function dnsmasqTxt(value: string): string {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error(`control characters in TXT value: ${JSON.stringify(value)}`);
  const chunks = value.match(/[\s\S]{1,255}/g) ?? [''];
  return chunks.map((c) => `"${c.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
}

function dnsmasqConfig(p: PublishedMtaSts): string {
  const sts = typeof p.stsTxt === 'string' ? [p.stsTxt] : p.stsTxt;
  const lines = [
    'no-resolv', // never forward anywhere
    'no-hosts',
    `listen-address=${SERVER_IP}`,
    'bind-interfaces',
    'user=root', // no privilege drop: keeps file access simple in a temp dir
    'pid-file=',
    'log-queries',
    'log-facility=-',
    // Unknown names in our zones get NXDOMAIN/NODATA rather than REFUSED.
    ...labZones(p).map((zone) => `local=/${zone}/`),
    `host-record=mta-sts.${p.domain},${SERVER_IP}`,
    ...sts.map((txt) => `txt-record=_mta-sts.${p.domain},${dnsmasqTxt(txt)}`),
  ];
  if (p.tlsRptTxt !== undefined) lines.push(`txt-record=_smtp._tls.${p.domain},${dnsmasqTxt(p.tlsRptTxt)}`);
  for (const [name, values] of Object.entries(p.txt ?? {})) {
    assertDomain(name.replace(/^_[a-z0-9-]+\.(_[a-z0-9-]+\.)?/, ''));
    for (const value of values) lines.push(`txt-record=${name},${dnsmasqTxt(value)}`);
  }
  for (const [name, target] of Object.entries(p.cnames ?? {})) lines.push(`cname=${name},${target}`);
  for (const [index, mx] of (p.mx ?? []).entries()) {
    assertDomain(mx.host);
    lines.push(`mx-host=${p.domain},${mx.host},${mx.preference ?? 10}`, `host-record=${mx.host},${mxIp(index)}`);
    // TLSA 3 1 1 <SHA-256 of a key>: the check only asks whether DANE is published.
    if (mx.tlsa) lines.push(`dns-rr=_25._tcp.${mx.host},52,030101${'ab'.repeat(32)}`);
  }
  return lines.join('\n') + '\n';
}

/** The registrable parts (last two labels) of every name the lab serves. */
function labZones(p: PublishedMtaSts): string[] {
  const names = [
    p.domain,
    ...Object.keys(p.txt ?? {}),
    ...Object.entries(p.cnames ?? {}).flat(),
    ...(p.mx ?? []).map((mx) => mx.host),
  ];
  return [...new Set(names.map((name) => name.split('.').slice(-2).join('.')))];
}

function nginxConfig(dir: string, p: PublishedMtaSts): string {
  const contentType = p.contentType ?? 'text/plain';
  // Goes into an nginx quoted string: allow only type/subtype plus simple parameters.
  if (!/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w-]+=[\w.-]+)*$/.test(contentType)) {
    throw new Error(`unsupported content type for the lab: ${JSON.stringify(contentType)}`);
  }
  const f = (name: string) => path.join(dir, name);
  return `
daemon off;
master_process off;  # one process: killing it is a complete stop
worker_processes 1;
pid ${f('nginx.pid')};
error_log stderr notice;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${f('ngx-body')};
  proxy_temp_path ${f('ngx-proxy')};
  fastcgi_temp_path ${f('ngx-fastcgi')};
  uwsgi_temp_path ${f('ngx-uwsgi')};
  scgi_temp_path ${f('ngx-scgi')};
  server {
    listen ${SERVER_IP}:443 ssl;
    server_name mta-sts.${p.domain};
    ssl_certificate ${f('leaf.crt')};
    ssl_certificate_key ${f('leaf.key')};
    location = /.well-known/mta-sts.txt {
${
  p.redirectTo === undefined
    ? `      types { }
      default_type "${contentType}";
      alias ${f('mta-sts.txt')};`
    : `      return 301 "${nginxSafeUrl(p.redirectTo)}";`
}
    }
    location / { return 404; }
  }
}
`;
}

function nginxSafeUrl(url: string): string {
  if (!/^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~/-]*)?$/.test(url)) {
    throw new Error(`unsupported redirect URL: ${url}`);
  }
  return url;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LEAF_DAYS = '90';

async function makeCa(openssl: string, dir: string): Promise<void> {
  const f = (name: string) => path.join(dir, name);
  await mustRun(openssl, [
    'req', '-x509', ...EC_KEY, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '365',
    '-subj', '/CN=cdk-mta-sts interop throwaway CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  // `openssl ca` (for certificates dated in the past) keeps a database.
  await fs.promises.writeFile(f('ca-index.txt'), '');
  await fs.promises.writeFile(f('ca-serial'), '1000\n');
  await fs.promises.writeFile(
    f('ca.cnf'),
    [
      '[ca]', 'default_ca = lab', '[lab]', `database = ${f('ca-index.txt')}`, `serial = ${f('ca-serial')}`,
      `new_certs_dir = ${dir}`, 'default_md = sha256', 'policy = any', 'unique_subject = no',
      '[any]', 'commonName = supplied',
    ].join('\n') + '\n',
  ); // prettier-ignore
}

/** Writes `<prefix>.key` and `<prefix>.crt`, a server certificate for `dnsName` of the given kind. */
async function makeLeaf(
  openssl: string,
  dir: string,
  prefix: string,
  dnsName: string,
  kind: LabCertKind,
): Promise<void> {
  const f = (name: string) => path.join(dir, name);
  const ext = [
    `subjectAltName=DNS:${dnsName}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectKeyIdentifier=hash',
  ];
  if (kind === 'untrusted') {
    await mustRun(openssl, [
      'req', '-x509', ...EC_KEY, '-keyout', f(`${prefix}.key`), '-out', f(`${prefix}.crt`), '-days', LEAF_DAYS,
      '-subj', `/CN=${dnsName}`, ...ext.flatMap((e) => ['-addext', e]),
    ]); // prettier-ignore
    return;
  }
  await mustRun(openssl, [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    f(`${prefix}.key`),
    '-out',
    f(`${prefix}.csr`),
    '-subj',
    `/CN=${dnsName}`,
  ]);
  await fs.promises.writeFile(f(`${prefix}.ext`), [...ext, 'authorityKeyIdentifier=keyid'].join('\n') + '\n');
  const dates =
    kind === 'expired' ? ['-startdate', '20200101000000Z', '-enddate', '20200131000000Z'] : ['-days', LEAF_DAYS];
  await mustRun(openssl, [
    'ca', '-batch', '-notext', '-config', f('ca.cnf'), '-cert', f('ca.crt'), '-keyfile', f('ca.key'),
    '-in', f(`${prefix}.csr`), '-out', f(`${prefix}.crt`), '-extfile', f(`${prefix}.ext`), ...dates,
  ]); // prettier-ignore
}

async function makeCerts(openssl: string, dir: string, dnsName: string, kind: LabCertKind = 'valid'): Promise<void> {
  await makeCa(openssl, dir);
  await makeLeaf(openssl, dir, 'leaf', dnsName, kind);
}

/** Waits until every server listens inside the server namespace (or one of them dies). */
async function waitListening(
  ss: string,
  ns: string,
  daemons: Daemon[],
  sockets: [string, string, number][],
): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const dead = daemons.find((d) => d.done);
    if (dead) throw new Error(`${dead.name} exited during startup:\n${dead.output}`);
    const out = await mustRun(ss, ['-N', ns, '-H', '-l', '-n', '-t', '-u']);
    const has = (proto: string, ip: string, port: number) =>
      out.split('\n').some((l) => l.startsWith(proto) && l.includes(`${ip}:${port} `));
    if (sockets.every(([proto, ip, port]) => has(proto, ip, port))) return;
    if (Date.now() > deadline) {
      throw new Error(
        `servers not listening after ${STEP_TIMEOUT_MS} ms:\n${out}\n${daemons.map((d) => d.output).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Publishes `published` on a private DNS + HTTPS server pair, runs `fn`, and always tears everything down.
 */
export async function withMtaStsLab<T>(published: PublishedMtaSts, fn: (lab: MtaStsLab) => Promise<T>): Promise<T> {
  const reason = labUnavailableReason();
  if (reason) throw new Error(`MTA-STS interop lab unavailable: ${reason}`);
  const tools = toolPaths!;
  assertDomain(published.domain);
  const certName = published.certName ?? `mta-sts.${published.domain}`;

  // Unique per lab so parallel jest workers (and nested labs) never collide; veth names max 15 chars.
  const id = randomBytes(4).toString('hex');
  const lab: LabState = { id, namespaces: [], daemons: [] };
  const serverNs = `mtasts-${id}-srv`;
  const clientNs = `mtasts-${id}-cli`;
  liveLabs.add(lab);
  if (!exitHookInstalled) {
    process.once('exit', exitHook);
    exitHookInstalled = true;
  }

  let result: { value: T } | undefined;
  let failure: unknown;
  try {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'mta-sts-lab-'));
    lab.dir = dir;
    const f = (name: string) => path.join(dir, name);

    await makeCerts(tools.openssl, dir, certName, published.certKind);
    const mxHosts = published.mx ?? [];
    for (const [index, mx] of mxHosts.entries()) {
      if ((mx.smtp ?? 'starttls') !== 'closed') {
        await makeLeaf(tools.openssl, dir, `mx${index}`, mx.certName ?? mx.host, mx.certKind ?? 'valid');
      }
    }
    await fs.promises.writeFile(f('mta-sts.txt'), published.policyText, 'utf8');
    await fs.promises.writeFile(f('dnsmasq.conf'), dnsmasqConfig(published));
    await fs.promises.writeFile(f('nginx.conf'), nginxConfig(dir, published));

    for (const ns of [serverNs, clientNs]) {
      await mustRun(tools.ip, ['netns', 'add', ns]);
      lab.namespaces.push(ns);
    }
    // Create the pair directly inside the namespaces: it never appears in the host namespace.
    await mustRun(tools.ip, [
      'link', 'add', `mts${id}s`, 'netns', serverNs, 'type', 'veth', 'peer', 'name', `mts${id}c`, 'netns', clientNs,
    ]); // prettier-ignore
    for (const [ns, dev, addr] of [
      [serverNs, `mts${id}s`, SERVER_IP],
      [clientNs, `mts${id}c`, CLIENT_IP],
    ]) {
      await mustRun(tools.ip, ['-n', ns, 'addr', 'add', `${addr}/${PREFIX_LENGTH}`, 'dev', dev]);
      await mustRun(tools.ip, ['-n', ns, 'link', 'set', dev, 'up']);
      await mustRun(tools.ip, ['-n', ns, 'link', 'set', 'lo', 'up']);
    }

    // `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc/*. Pinning nsswitch.conf and hosts keeps
    // glibc (used by aiohttp for the A lookup) away from nss plugins such as systemd-resolved, whose
    // unix socket would otherwise reach the host's real DNS from inside the namespace.
    const etcDir = path.join(ETC_NETNS, clientNs);
    lab.netnsEtcDir = etcDir;
    for (let i = 0; ; i++) {
      try {
        await fs.promises.mkdir(etcDir, { recursive: true });
        break;
      } catch (err) {
        // Another lab's cleanup may rmdir /etc/netns between our two mkdirs.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || i >= 3) throw err;
      }
    }
    await fs.promises.writeFile(
      path.join(etcDir, 'resolv.conf'),
      `nameserver ${SERVER_IP}\noptions timeout:1 attempts:2\n`,
    );
    await fs.promises.writeFile(path.join(etcDir, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n');
    await fs.promises.writeFile(path.join(etcDir, 'nsswitch.conf'), 'hosts: files dns\n');

    lab.daemons.push(
      startDaemon('dnsmasq', tools.ip, [
        'netns',
        'exec',
        serverNs,
        tools.dnsmasq,
        '-k',
        `--conf-file=${f('dnsmasq.conf')}`,
      ]),
      startDaemon('nginx', tools.ip, [
        'netns', 'exec', serverNs, tools.nginx, '-p', dir, '-c', f('nginx.conf'), '-e', 'stderr',
      ]), // prettier-ignore
    );
    const sockets: [string, string, number][] = [
      ['udp', SERVER_IP, 53],
      ['tcp', SERVER_IP, 443],
    ];
    if (mxHosts.length > 0) {
      // Each MX host gets an address of its own, so each can have its own server on port 25.
      const servers = mxHosts.map((mx, index) => ({
        ip: mxIp(index),
        smtp: mx.smtp ?? 'starttls',
        key: f(`mx${index}.key`),
        cert: f(`mx${index}.crt`),
      }));
      for (const ip of [...servers.map((server) => server.ip), SILENT_DNS_IP]) {
        await mustRun(tools.ip, ['-n', serverNs, 'addr', 'add', `${ip}/${PREFIX_LENGTH}`, 'dev', `mts${id}s`]);
      }
      await fs.promises.writeFile(
        f('smtp.json'),
        JSON.stringify({ silentDns: SILENT_DNS_IP, servers: servers.filter((server) => server.smtp !== 'closed') }),
      );
      lab.daemons.push(
        startDaemon('smtp', tools.ip, ['netns', 'exec', serverNs, process.execPath, SMTP_HELPER, f('smtp.json')]),
      );
      sockets.push(['udp', SILENT_DNS_IP, 53]);
      for (const server of servers) if (server.smtp !== 'closed') sockets.push(['tcp', server.ip, 25]);
    }
    await waitListening(tools.ss, serverNs, lab.daemons, sockets);

    const clientEnv: NodeJS.ProcessEnv = {
      // Minimal env: no proxy variables leak in; trust exactly our CA.
      PATH: EXTRA_PATH.join(path.delimiter),
      LANG: 'C.UTF-8',
      SSL_CERT_FILE: f('ca.crt'),
      SSL_CERT_DIR: dir,
      NODE_EXTRA_CA_CERTS: f('ca.crt'),
    };
    const labApi: MtaStsLab = {
      async resolve(domain, knownId) {
        assertDomain(domain);
        const args = ['netns', 'exec', clientNs, tools['mta-sts-query'], domain];
        if (knownId !== undefined) args.push(knownId);
        const r = await run(tools.ip, args, { env: clientEnv, timeoutMs: RESOLVE_TIMEOUT_MS });
        if (r.code !== 0) throw new Error(`mta-sts-query exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
        return parseQueryOutput(r.stdout, r.stderr);
      },
      exec: (command, args, options = {}) =>
        run(tools.ip, ['netns', 'exec', clientNs, command, ...args], {
          env: { ...clientEnv, ...options.env },
          timeoutMs: options.timeoutMs ?? RESOLVE_TIMEOUT_MS,
        }),
      serverLogs: () => lab.daemons.map((d) => `--- ${d.name}\n${d.output}`).join('\n'),
    };
    result = { value: await fn(labApi) };
  } catch (err) {
    failure = err;
  }

  const cleanupErrors = await cleanup(lab, tools.ip);
  if (failure !== undefined) {
    if (cleanupErrors.length > 0) console.warn(`MTA-STS lab cleanup problems:\n${cleanupErrors.join('\n')}`);
    throw failure;
  }
  if (cleanupErrors.length > 0) throw new Error(`MTA-STS lab cleanup failed:\n${cleanupErrors.join('\n')}`);
  return result!.value;
}

/**
 * Parses what `mta-sts-query` prints: the repr of its `(STSFetchResult, payload)` tuple, e.g.
 *   (<STSFetchResult.VALID: 1>, ('abc123', {'mx': ['mail.example.com'], 'version': 'STSv1', 'mode': 'enforce', 'max_age': 604800}))
 *   (<STSFetchResult.NONE: 0>, None)
 */
export function parseQueryOutput(stdout: string, stderr = ''): ResolvedPolicy {
  const raw = stdout.trim();
  const m = /^\(<STSFetchResult\.([A-Z_]+): \d+>, ([\s\S]*)\)$/.exec(raw);
  if (!m) throw new Error(`unrecognised mta-sts-query output: ${JSON.stringify(raw)}\n${stderr}`);
  const status = m[1] as FetchStatus;
  if (!['NONE', 'VALID', 'FETCH_ERROR', 'NOT_CHANGED'].includes(status)) {
    throw new Error(`unknown STSFetchResult ${status}: ${raw}`);
  }
  const payload = parsePyLiteral(m[2]);
  if (status !== 'VALID') return { valid: false, status, raw, log: stderr };
  if (!Array.isArray(payload) || payload.length !== 2 || typeof payload[0] !== 'string' || !isRecord(payload[1])) {
    throw new Error(`unexpected VALID payload: ${raw}`);
  }
  const fields = payload[1];
  const mx = fields.mx;
  return {
    valid: true,
    status,
    id: payload[0],
    mode: typeof fields.mode === 'string' ? fields.mode : undefined,
    mx: Array.isArray(mx) ? mx.map(String) : undefined,
    maxAge: typeof fields.max_age === 'number' ? fields.max_age : undefined,
    fields,
    raw,
    log: stderr,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Just enough of Python's literal repr: None/True/False, ints, str, tuples, lists, dicts with str keys. */
function parsePyLiteral(src: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`cannot parse Python literal at ${i} (${what}): ${src}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = src[i];
    if (c === '(' || c === '[') return seq(c === '(' ? ')' : ']');
    if (c === '{') return dict();
    if (c === "'" || c === '"') return str();
    const word = /^(None|True|False|-?\d+)/.exec(src.slice(i));
    if (!word) return fail('value');
    i += word[0].length;
    if (word[0] === 'None') return null;
    if (word[0] === 'True' || word[0] === 'False') return word[0] === 'True';
    return Number(word[0]);
  };
  const seq = (close: string): unknown[] => {
    i++;
    const out: unknown[] = [];
    for (;;) {
      ws();
      if (src[i] === close) break;
      out.push(value());
      ws();
      if (src[i] === ',') i++;
      else if (src[i] !== close) fail(`',' or '${close}'`);
    }
    i++;
    return out;
  };
  const dict = (): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      ws();
      if (src[i] === '}') break;
      const k = value();
      if (typeof k !== 'string') fail('str key');
      ws();
      if (src[i++] !== ':') fail("':'");
      out[k as string] = value();
      ws();
      if (src[i] === ',') i++;
      else if (src[i] !== '}') fail("',' or '}'");
    }
    i++;
    return out;
  };
  const str = (): string => {
    const q = src[i++];
    let out = '';
    while (i < src.length && src[i] !== q) {
      if (src[i] !== '\\') {
        out += src[i++];
        continue;
      }
      const e = src[i + 1];
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = src.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-f]+$/i.test(hex) || hex.length !== len) fail('escape');
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 2 + len;
      } else {
        fail('escape');
      }
    }
    if (src[i] !== q) fail('unterminated string');
    i++;
    return out;
  };
  const v = value();
  ws();
  if (i !== src.length) fail('trailing input');
  return v;
}
