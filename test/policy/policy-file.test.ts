import { MtaStsMode } from '../../src/policy/mode';
import { renderPolicyDocument } from '../../src/policy/policy-document';
import { parsePolicyFile } from '../../src/policy/policy-file';

const CRLF = '\r\n';
const file = (...lines: string[]) => lines.map((line) => line + CRLF).join('');
const OURS = file(
  'version: STSv1',
  'mode: enforce',
  'mx: mx1.example.com',
  'mx: *.mail.example.net',
  'max_age: 604800',
);

describe('parsePolicyFile: accepted', () => {
  test.each<[string, string, { mode: string; mx: string[]; maxAgeSeconds: number }]>([
    ['our rendering', OURS, { mode: 'enforce', mx: ['mx1.example.com', '*.mail.example.net'], maxAgeSeconds: 604800 }],
    [
      'LF line ends (RFC 8461 §3.2 allows them)',
      OURS.replace(/\r\n/g, '\n'),
      { mode: 'enforce', mx: ['mx1.example.com', '*.mail.example.net'], maxAgeSeconds: 604800 },
    ],
    [
      'no line end after the last field',
      OURS.slice(0, -CRLF.length),
      { mode: 'enforce', mx: ['mx1.example.com', '*.mail.example.net'], maxAgeSeconds: 604800 },
    ],
    [
      'no space or extra spaces and tabs around the value; fields in any order',
      'mx:MX1.Example.COM\r\nmax_age:\t86400 \r\nmode:  testing\r\nversion: STSv1\t\r\n',
      { mode: 'testing', mx: ['MX1.Example.COM'], maxAgeSeconds: 86400 },
    ],
    [
      'an extension field is ignored',
      file('version: STSv1', 'mode: none', 'x-note: moved to Microsoft 365', 'mx: mx1.example.com', 'max_age: 0'),
      { mode: 'none', mx: ['mx1.example.com'], maxAgeSeconds: 0 },
    ],
    [
      'no mx line: covers nothing',
      file('version: STSv1', 'mode: enforce', 'max_age: 31557600'),
      { mode: 'enforce', mx: [], maxAgeSeconds: 31557600 },
    ],
  ])('%s', (_, text, policy) => {
    expect(parsePolicyFile(text)).toEqual({ ok: true, policy });
  });

  test('reads back what renderPolicyDocument publishes', () => {
    const doc = renderPolicyDocument({
      mode: MtaStsMode.TESTING,
      mx: ['MX1.Example.COM.', '*.mail.protection.outlook.com', 'mail.bücher.example'],
      maxAgeSeconds: 86400,
    });
    expect(parsePolicyFile(doc.text)).toEqual({
      ok: true,
      policy: { mode: doc.mode, mx: doc.mx, maxAgeSeconds: doc.maxAgeSeconds },
    });
  });
});

// [text, problem]
const REJECTED: [string, string][] = [
  ['', 'is empty'],
  [CRLF, 'line 1 is not a "key: value" field: ""'],
  [file('version: STSv1', '', 'mode: enforce', 'max_age: 1'), 'line 2 is not a "key: value" field: ""'],
  [file('version : STSv1', 'mode: enforce', 'max_age: 1'), 'line 1 is not a "key: value" field: "version : STSv1"'],
  [file(' mode: enforce', 'version: STSv1', 'max_age: 1'), 'line 1 is not a "key: value" field: " mode: enforce"'],
  [
    'version: STSv1\rmode: enforce\rmax_age: 1\r',
    'line 1 is not a "key: value" field: "version: STSv1\\rmode: enforce\\rmax_age: 1"',
  ],
  [
    '<html><body>403 Forbidden</body></html>',
    'line 1 is not a "key: value" field: "<html><body>403 Forbidden</body></html>"',
  ],
  [file('mode: enforce', 'mx: mx1.example.com', 'max_age: 1'), 'has no version field'],
  [file('version: STSv1', 'mx: mx1.example.com', 'max_age: 1'), 'has no mode field'],
  [file('version: STSv1', 'mode: enforce', 'mx: mx1.example.com'), 'has no max_age field'],
  [file('version: STSv2', 'mode: enforce', 'max_age: 1'), 'has version "STSv2", not "STSv1"'],
  [file('version: stsv1', 'mode: enforce', 'max_age: 1'), 'has version "stsv1", not "STSv1"'],
  [file('version: STSv1', 'mode: Enforce', 'max_age: 1'), 'has mode "Enforce", not one of none, testing, enforce'],
  [file('version: STSv1', 'mode: enforce', 'mode: testing', 'max_age: 1'), 'has more than one mode field'],
  [
    file('version: STSv1', 'mode: enforce', 'max_age: -1'),
    'has max_age "-1", not a whole number of seconds up to 31557600',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'max_age: 31557601'),
    'has max_age "31557601", not a whole number of seconds up to 31557600',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'max_age: 1w'),
    'has max_age "1w", not a whole number of seconds up to 31557600',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'mx: mx1.example.com.', 'max_age: 1'),
    'line 3 has an invalid mx pattern "mx1.example.com."',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'mx: mx*.example.com', 'max_age: 1'),
    'line 3 has an invalid mx pattern "mx*.example.com"',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'mx: *.*.example.com', 'max_age: 1'),
    'line 3 has an invalid mx pattern "*.*.example.com"',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'mx: mx1, mx2.example.com', 'max_age: 1'),
    'line 3 has an invalid mx pattern "mx1, mx2.example.com"',
  ],
  [
    file('version: STSv1', 'mode: enforce', 'mx: localhost', 'max_age: 1'),
    'line 3 has an invalid mx pattern "localhost"',
  ],
  [file('version: STSv1', 'mode: enforce', 'mx:', 'max_age: 1'), 'line 3 has an invalid mx pattern ""'],
  [file('version: STSv1', 'mode: enforce', 'mx: mx1.bücher.example', 'max_age: 1'), 'is not ASCII'],
  // 64000 bytes exactly: senders may stop reading there.
  [OURS + 'x-pad: ' + 'a'.repeat(64000 - OURS.length - 7), 'is 64000 bytes; senders may refuse 64000 or more'],
];

describe('parsePolicyFile: rejected', () => {
  test.each(REJECTED.map(([text, problem]) => [problem, text]))('%s', (problem, text) => {
    expect(parsePolicyFile(text)).toEqual({ ok: false, problem });
  });
});
