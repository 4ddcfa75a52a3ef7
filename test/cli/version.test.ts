import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (chunk, _e, done) => (into.push(String(chunk)), done()) });
  const code = await main(argv, { stdout: sink(out), stderr: sink(err) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('cdk-mta-sts --version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  expect(version).toMatch(/^\d+\.\d+\.\d+/);
  for (const flag of ['--version', '-v', 'version']) {
    expect(await run(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  }
});
