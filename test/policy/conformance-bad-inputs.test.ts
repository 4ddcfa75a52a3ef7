// Publisher-side bad inputs from the conformance checklist (§4), rows 17-38 and 47-53, with the exact errors.
// Text forms of max_age (rows 19, 20, 24) are command-line input: see test/cli/policy-command.test.ts.
import { normalizeDomainName, normalizeMxPattern } from '../../src/policy/domain-name';
import { MtaStsMode } from '../../src/policy/mode';
import { PolicyDocumentInput, renderPolicyDocument } from '../../src/policy/policy-document';
import { tlsRptRecordValue } from '../../src/policy/records';
import { normalizeReportUri } from '../../src/policy/report-uri';

const VALID: PolicyDocumentInput = { mode: MtaStsMode.ENFORCE, mx: ['mail.example.com'], maxAgeSeconds: 604800 };
const render = (overrides: Partial<Record<keyof PolicyDocumentInput, unknown>>) => () =>
  renderPolicyDocument({ ...VALID, ...overrides } as PolicyDocumentInput);
const mx = (value: string) => () => normalizeMxPattern(value, 'mx');
const domain = (value: string) => () => normalizeDomainName(value, 'domain');
const rua = (value: string) => () => normalizeReportUri(value, 'rua');

const MODE_ERROR = 'must be one of "none", "testing", "enforce" (lower-case)';
const MAX_AGE_ERROR = 'must be a whole number of seconds from 1 to 31557600';
const NO_MX =
  'Invalid mx []: at least one MX host pattern is required, also in mode "none" (some senders reject a policy without one)';
const ONE_LABEL_WILDCARD = 'a wildcard is allowed only as the whole left-most label ("*.example.com")';
const BARE_WILDCARD = 'a wildcard must be followed by a domain name ("*.example.com")';
const UNDERSCORE = 'contains an underscore; host names allow only letters, digits and hyphens';
const PERCENT_ENCODE = 'give one URI per entry and percent-encode "!", "," and ";" (RFC 8460 §3)';
const LABEL_63 = 'a'.repeat(63);
const LABEL_64 = 'a'.repeat(64);
const NAME_259 = `${LABEL_63}.${LABEL_63}.${LABEL_63}.${LABEL_63}.com`;
const DOMAIN_247 = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`;

test.each<[string, () => unknown, string]>([
  ['17 mode "Enforce"', render({ mode: 'Enforce' }), `Invalid mode "Enforce": ${MODE_ERROR}`],
  ['17 mode "enforced"', render({ mode: 'enforced' }), `Invalid mode "enforced": ${MODE_ERROR}`],
  ['17 mode "report"', render({ mode: 'report' }), `Invalid mode "report": ${MODE_ERROR}`],
  ['17 mode ""', render({ mode: '' }), `Invalid mode "": ${MODE_ERROR}`],
  ['18 mode missing', render({ mode: undefined }), `Invalid mode undefined: ${MODE_ERROR}`],
  ['18 max_age missing', render({ maxAgeSeconds: undefined }), `Invalid maxAge undefined: ${MAX_AGE_ERROR}`],
  ['19 max_age -1', render({ maxAgeSeconds: -1 }), `Invalid maxAge -1 seconds: ${MAX_AGE_ERROR}`],
  ['19 max_age 86400.5', render({ maxAgeSeconds: 86400.5 }), `Invalid maxAge 86400.5 seconds: ${MAX_AGE_ERROR}`],
  ['19 max_age NaN', render({ maxAgeSeconds: NaN }), `Invalid maxAge NaN seconds: ${MAX_AGE_ERROR}`],
  ['19 max_age "86400"', render({ maxAgeSeconds: '86400' }), `Invalid maxAge "86400": ${MAX_AGE_ERROR}`],
  [
    '20 max_age 11 digits',
    render({ maxAgeSeconds: 10000000000 }),
    `Invalid maxAge 10000000000 seconds: ${MAX_AGE_ERROR}`,
  ],
  ['21 max_age 31557601', render({ maxAgeSeconds: 31557601 }), `Invalid maxAge 31557601 seconds: ${MAX_AGE_ERROR}`],
  ['22 max_age 0', render({ maxAgeSeconds: 0 }), `Invalid maxAge 0 seconds: ${MAX_AGE_ERROR}`],
  ['25 enforce without mx', render({ mx: [] }), NO_MX],
  ['25 testing without mx', render({ mode: MtaStsMode.TESTING, mx: [] }), NO_MX],
  ['26 none without mx', render({ mode: MtaStsMode.NONE, mx: [] }), NO_MX],
  ['27 *.*.example.com', mx('*.*.example.com'), `Invalid mx "*.*.example.com": ${ONE_LABEL_WILDCARD}`],
  ['28 mail.*.example.com', mx('mail.*.example.com'), `Invalid mx "mail.*.example.com": ${ONE_LABEL_WILDCARD}`],
  ['28 *mail.example.com', mx('*mail.example.com'), `Invalid mx "*mail.example.com": ${ONE_LABEL_WILDCARD}`],
  ['28 *.', mx('*.'), `Invalid mx "*.": ${BARE_WILDCARD}`],
  ['28 *', mx('*'), `Invalid mx "*": ${BARE_WILDCARD}`],
  [
    '29 *.com',
    mx('*.com'),
    'Invalid mx "*.com": "com" is a public suffix, so the wildcard would match other owners\' hosts',
  ],
  [
    '29 *.co.uk',
    mx('*.co.uk'),
    'Invalid mx "*.co.uk": "co.uk" is a public suffix, so the wildcard would match other owners\' hosts',
  ],
  [
    '29 *.github.io (private suffix)',
    mx('*.github.io'),
    'Invalid mx "*.github.io": "github.io" is a public suffix, so the wildcard would match other owners\' hosts',
  ],
  [
    '29 *.example (unknown TLD)',
    mx('*.example'),
    'Invalid mx "*.example": "example" is a public suffix, so the wildcard would match other owners\' hosts',
  ],
  ['32 IPv4', mx('192.0.2.1'), 'Invalid mx "192.0.2.1": is an IP address; give a host name'],
  ['32 address literal', mx('[192.0.2.1]'), 'Invalid mx "[192.0.2.1]": is an address literal; give a host name'],
  ['32 IPv6', mx('2001:db8::1'), 'Invalid mx "2001:db8::1": is an IP address; give a host name'],
  [
    '32 IPv4 look-alike',
    mx('1.2.3'),
    'Invalid mx "1.2.3": ends in an all-numeric label, which no top-level domain has (is it an IP address?)',
  ],
  ['35 xn--zz', mx('xn--zz.example.com'), 'Invalid mx "xn--zz.example.com": has an invalid A-label "xn--zz"'],
  [
    '35 A-label that does not round-trip',
    mx('xn--bcher-kva-.example'),
    'Invalid mx "xn--bcher-kva-.example": has an invalid A-label "xn--bcher-kva-"',
  ],
  [
    '35 disallowed code point',
    mx('mail\u200d.example.com'),
    'Invalid mx "mail\u200d.example.com": has a label that is not a valid internationalised name "mail\u200d"',
  ],
  [
    '36 label of 64',
    mx(`${LABEL_64}.example.com`),
    `Invalid mx "${LABEL_64}.example.com": has a 64-character label; labels are at most 63 characters`,
  ],
  [
    '36 name of 259',
    mx(NAME_259),
    `Invalid mx "${NAME_259}": is 259 characters long; domain names are at most 253 characters`,
  ],
  ['36 empty label', mx('a..b.example'), 'Invalid mx "a..b.example": has an empty label'],
  [
    '36 leading hyphen',
    mx('-mail.example.com'),
    'Invalid mx "-mail.example.com": has a label that starts or ends with a hyphen "-mail"',
  ],
  [
    '36 trailing hyphen',
    mx('mail-.example.com'),
    'Invalid mx "mail-.example.com": has a label that starts or ends with a hyphen "mail-"',
  ],
  ['36 underscore', mx('mail_1.example.com'), `Invalid mx "mail_1.example.com": ${UNDERSCORE}`],
  ['37 port', mx('mail.example.com:25'), 'Invalid mx "mail.example.com:25": includes a port; give only the host name'],
  ['37 URL', mx('smtp://mail.example.com'), 'Invalid mx "smtp://mail.example.com": is a URL; give only the host name'],
  ['37 space', mx('mail .example.com'), 'Invalid mx "mail .example.com": contains whitespace'],
  [
    '37 list on one line',
    mx('a.example, b.example'),
    'Invalid mx "a.example, b.example": contains a comma; give one host name per entry',
  ],
  ['37 empty', mx(''), 'Invalid mx "": must not be empty'],
  ['37 single label', mx('localhost'), 'Invalid mx "localhost": must have at least two labels (e.g. "example.com")'],
  ['47 domain empty label', domain('example..com'), 'Invalid domain "example..com": has an empty label'],
  ['47 domain leading dot', domain('.example.com'), 'Invalid domain ".example.com": has an empty label'],
  [
    '47 domain wildcard',
    domain('*.example.com'),
    'Invalid domain "*.example.com": a wildcard is not allowed here; give the exact domain name',
  ],
  ['47 domain IP', domain('192.0.2.1'), 'Invalid domain "192.0.2.1": is an IP address; give a host name'],
  [
    '47 domain too long for _smtp._tls.',
    domain(DOMAIN_247),
    `Invalid domain "${DOMAIN_247}": is 247 characters long; "_smtp._tls.<domain>" must fit in 253 characters, so at most 242`,
  ],
  [
    '47 domain single label',
    domain('example'),
    'Invalid domain "example": must have at least two labels (e.g. "example.com")',
  ],
  ['49 no rua', () => tlsRptRecordValue([]), 'Invalid rua []: at least one reporting URI is required (RFC 8460 §3)'],
  ['49 rua empty', rua(''), 'Invalid rua "": must not be empty'],
  [
    '49 trailing comma',
    rua('mailto:tlsrpt@example.com,'),
    `Invalid rua "mailto:tlsrpt@example.com,": contains an unencoded ","; ${PERCENT_ENCODE}`,
  ],
  [
    '51 http:',
    rua('http://reports.example.com/'),
    'Invalid rua "http://reports.example.com/": uses "http:"; TLS-RPT allows only "mailto:" and "https:" (RFC 8460 §3)',
  ],
  [
    '51 ftp:',
    rua('ftp://reports.example.com/'),
    'Invalid rua "ftp://reports.example.com/": uses "ftp:"; TLS-RPT allows only "mailto:" and "https:" (RFC 8460 §3)',
  ],
  [
    '51 bare address',
    rua('reports@example.com'),
    'Invalid rua "reports@example.com": is a bare email address; write "mailto:reports@example.com"',
  ],
  [
    '52 DMARC size suffix',
    rua('mailto:a@x.example!10m'),
    'Invalid rua "mailto:a@x.example!10m": ends in a DMARC-style size limit "!10m", which TLS-RPT does not support',
  ],
  [
    '52 unencoded !',
    rua('mailto:a!b@x.example'),
    `Invalid rua "mailto:a!b@x.example": contains an unencoded "!"; ${PERCENT_ENCODE}`,
  ],
  [
    '52 unencoded ,',
    rua('mailto:a,b@x.example'),
    `Invalid rua "mailto:a,b@x.example": contains an unencoded ","; ${PERCENT_ENCODE}`,
  ],
  [
    '52 unencoded ;',
    rua('https://r.example.com/a;b'),
    `Invalid rua "https://r.example.com/a;b": contains an unencoded ";"; ${PERCENT_ENCODE}`,
  ],
  ['53 mailto without @', rua('mailto:reports'), 'Invalid rua "mailto:reports": has no "@" in the address'],
  ['53 mailto with space', rua('mailto:a b@x.example'), 'Invalid rua "mailto:a b@x.example": contains whitespace'],
  [
    '53 mailto bad domain',
    rua('mailto:a@bad_domain.example'),
    `Invalid rua "mailto:a@bad_domain.example": the domain "bad_domain.example" ${UNDERSCORE}`,
  ],
  ['53 https without host', rua('https:///tlsrpt'), 'Invalid rua "https:///tlsrpt": has no host'],
])('rejects row %s', (_row, run, message) => {
  expect(run).toThrow(new Error(message));
});

test.each<[string, () => unknown, unknown]>([
  ['31 trailing dot', () => normalizeMxPattern('mail.example.com.', 'mx'), 'mail.example.com'],
  ['33 upper case', () => normalizeMxPattern('MAIL.Example.COM', 'mx'), 'mail.example.com'],
  ['34 U-label', () => normalizeMxPattern('mail.bücher.example', 'mx'), 'mail.xn--bcher-kva.example'],
  ['38 duplicates', () => render({ mx: ['a.example.com', 'A.example.com.', 'a.example.com'] })().mx, ['a.example.com']],
  ['48 domain U-label', () => normalizeDomainName('bücher.example', 'domain'), 'xn--bcher-kva.example'],
  ['48 domain upper case and trailing dot', () => normalizeDomainName('Example.COM.', 'domain'), 'example.com'],
])('normalises row %s', (_row, run, expected) => {
  expect(run()).toEqual(expected);
});
