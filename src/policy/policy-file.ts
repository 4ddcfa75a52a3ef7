import { MAX_MAX_AGE_SECONDS, MAX_POLICY_BYTES } from './limits';
import { MtaStsMode } from './mode';

/** What senders act on in a served policy file. */
export interface PublishedPolicy {
  readonly mode: MtaStsMode;
  /** The `mx` patterns as written, in file order. */
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number;
}

/** The policy, or why senders may not accept the file. */
export type PolicyFileCheck =
  { readonly ok: true; readonly policy: PublishedPolicy } | { readonly ok: false; readonly problem: string };

/** How a valid file is written, where senders disagree (RFC 8461 §3.2 prose vs ABNF, erratum 6253, Google's rules). */
export interface PolicyFileStyle {
  /** `crlf` when no line ends in a bare LF (also a single line without an end), `lf` when none ends in CRLF. */
  readonly lineEnds: 'crlf' | 'lf' | 'mixed';
  /** The first line is the `version` field. */
  readonly versionFirst: boolean;
  /** The text has non-ASCII characters (the ABNF allows them only in extension values). */
  readonly nonAscii: boolean;
}

/** A policy file read by the RFC 8461 §3.2 grammar, with how it is written, or why it is not a policy. */
export type PolicyFileReading =
  | { readonly ok: true; readonly policy: PublishedPolicy; readonly style: PolicyFileStyle }
  | { readonly ok: false; readonly problem: string };

const MODES: readonly string[] = Object.values(MtaStsMode);
// RFC 8461 §3.2: `key ":" *WSP value *WSP`; extension names as sts-policy-ext-name.
const FIELD = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):[ \t]*(.*?)[ \t]*$/;
// ["*."] Domain (RFC 5321 §4.1.2): LDH labels that start and end with a letter or digit, no trailing dot.
const MX_PATTERN =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const SINGLE_FIELDS = ['version', 'mode', 'max_age'];
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Parses a served policy file (RFC 8461 §3.2) strictly enough to flag one senders might reject: exactly one
 * `version: STSv1`, `mode` and `max_age`, CRLF or LF line ends, ASCII, under 64000 bytes. Unknown fields are
 * ignored, as the RFC allows extensions. A policy without `mx` is returned: it simply covers no host.
 */
export function parsePolicyFile(text: string): PolicyFileCheck {
  if (!ASCII.test(text)) return invalid('is not ASCII');
  const reading = readPolicyFile(text);
  if (!reading.ok) return reading;
  if (reading.policy.maxAgeSeconds > MAX_MAX_AGE_SECONDS) return invalid(maxAgeProblem(reading.policy.maxAgeSeconds));
  return { ok: true, policy: reading.policy };
}

/**
 * Reads a policy file by the RFC 8461 §3.2 grammar, as the live check does: like {@link parsePolicyFile}, but
 * non-ASCII text (legal in extension values) and a `max_age` over the RFC's one-year cap (1 to 10 digits, which
 * senders clamp or refuse) are reported in the result for the caller to judge rather than refused.
 */
export function readPolicyFile(text: string): PolicyFileReading {
  if (text.length >= MAX_POLICY_BYTES) {
    return invalid(`is ${text.length} bytes; senders may refuse ${MAX_POLICY_BYTES} or more`);
  }
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  // One line end after the last field is allowed (ours always has it), not a blank line.
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return invalid('is empty');

  const single = new Map<string, string>();
  const mx: string[] = [];
  let firstKey: string | undefined;
  for (const [index, line] of lines.entries()) {
    const match = FIELD.exec(line);
    if (!match) return invalid(`line ${index + 1} is not a "key: value" field: ${JSON.stringify(line)}`);
    const [, key, value] = match;
    firstKey ??= key;
    if (key === 'mx') {
      if (!MX_PATTERN.test(value)) {
        return invalid(`line ${index + 1} has an invalid mx pattern ${JSON.stringify(value)}`);
      }
      mx.push(value);
    } else if (SINGLE_FIELDS.includes(key)) {
      if (single.has(key)) return invalid(`has more than one ${key} field`);
      single.set(key, value);
    }
  }

  for (const key of SINGLE_FIELDS) if (!single.has(key)) return invalid(`has no ${key} field`);
  const version = single.get('version')!;
  if (version !== 'STSv1') return invalid(`has version ${JSON.stringify(version)}, not "STSv1"`);
  const mode = single.get('mode')!;
  if (!MODES.includes(mode)) return invalid(`has mode ${JSON.stringify(mode)}, not one of ${MODES.join(', ')}`);
  const maxAge = single.get('max_age')!;
  if (!/^[0-9]{1,10}$/.test(maxAge)) return invalid(maxAgeProblem(maxAge));
  return {
    ok: true,
    policy: { mode: mode as MtaStsMode, mx, maxAgeSeconds: Number(maxAge) },
    style: { lineEnds: lineEnds(text), versionFirst: firstKey === 'version', nonAscii: !ASCII.test(text) },
  };
}

function lineEnds(text: string): PolicyFileStyle['lineEnds'] {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  if (lf === 0) return 'crlf';
  return crlf === 0 ? 'lf' : 'mixed';
}

function maxAgeProblem(value: string | number): string {
  return `has max_age ${JSON.stringify(String(value))}, not a whole number of seconds up to ${MAX_MAX_AGE_SECONDS}`;
}

function invalid(problem: string): { readonly ok: false; readonly problem: string } {
  return { ok: false, problem };
}
