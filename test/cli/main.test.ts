import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

// Runs the CLI's main() in a fresh node process and lists the packages it loaded.
const SCRIPT = `
const { main } = require('./src/cli/main');
const { Writable } = require('node:stream');
const sink = () => new Writable({ write: (chunk, encoding, callback) => callback() });
main(JSON.parse(process.argv[1]), { stdout: sink(), stderr: sink() }).then((code) => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
    if (m) packages.add(m[1].startsWith('@aws-sdk/') ? '@aws-sdk' : m[1].startsWith('@smithy/') ? '@smithy' : m[1]);
  }
  process.stdout.write(JSON.stringify({ code, packages: [...packages].filter((p) => p !== 'ts-node').sort() }));
});
`;

function loadedBy(args: string[]): { code: number; packages: string[] } {
  const result = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', SCRIPT, JSON.stringify(args)],
    {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' },
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const HEAVY = ['@aws-sdk', '@smithy', 'postal-mime', 'tldts'];

test('policy loads none of the S3 client, smithy, tldts or postal-mime', () => {
  const { code, packages } = loadedBy([
    'policy',
    '--domain',
    'example.com',
    '--mode',
    'testing',
    '--mx',
    'mx.example.com',
  ]);
  expect(code).toBe(0);
  expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
}, 60_000);

test('each subcommand loads what it needs when it runs', () => {
  expect(loadedBy(['--help']).packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  const wildcard = loadedBy(['policy', '--domain', 'example.com', '--mode', 'testing', '--mx', '*.example.com']);
  expect(wildcard.packages.filter((p) => HEAVY.includes(p))).toEqual(['tldts']);
  // postal-mime loads only for mails the canonical reader declines.
  const json = loadedBy(['report', '--json', 'test/fixtures/tlsrpt/cryinc-google.json']);
  expect(json.code).toBe(0);
  expect(json.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  const canonical = loadedBy(['report', '--json', 'test/fixtures/tlsrpt/mox-google.eml']);
  expect(canonical.code).toBe(0);
  expect(canonical.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  const other = loadedBy(['report', '--json', 'test/fixtures/tlsrpt/mail-auth-rpt02-plain-json.eml']);
  expect(other.code).toBe(0);
  expect(other.packages.filter((p) => HEAVY.includes(p))).toEqual(['postal-mime']);
}, 60_000);
