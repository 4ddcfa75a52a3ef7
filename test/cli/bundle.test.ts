// The package's `bin` is the bundled command line (projenrc/cli-bundle.ts): build it as post-compile does and run it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCliBundle } from '../../projenrc/cli-bundle';
import { parseReportFile } from '../../src/reporting/parser';
import { FIXTURES } from '../reporting/mail-builder';

const REPO = path.resolve(__dirname, '../..');
let root: string;
let bundle: string;

beforeAll(() => {
  // The bundle finds package.json two levels up, as it does in the package (lib/cli/), and the dependencies it
  // leaves out in the node_modules above it.
  fs.mkdirSync(path.join(REPO, '.tmp'), { recursive: true });
  root = fs.mkdtempSync(path.join(REPO, '.tmp', 'cli-bundle-'));
  bundle = path.join(root, 'lib/cli/cdk-mta-sts.js');
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  buildCliBundle(bundle);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the package points its bin at the bundle, which starts with a shebang', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  expect(pkg.bin).toStrictEqual({ 'cdk-mta-sts': 'lib/cli/cdk-mta-sts.js' });
  expect(fs.readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

test('the bundle prints the package version', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const result = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8' });
  expect({ status: result.status, stdout: result.stdout }).toStrictEqual({ status: 0, stdout: `${version}\n` });
});

test('the bundle reads reports as the modules do, by both paths', async () => {
  const files = ['mox-google.eml', 'mail-auth-rpt02-plain-json.eml', 'cryinc-google.json'].map((name) =>
    path.join(FIXTURES, name),
  );
  const result = spawnSync(process.execPath, [bundle, 'report', '--json', ...files], { cwd: REPO, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const expected = await Promise.all(
    files.map(async (file) => ({ source: file, reports: await parseReportFile(file, fs.readFileSync(file)) })),
  );
  expect(JSON.parse(result.stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
});
