import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** What a user sees from `cdk synth` of an app with eleven mistakes in two stacks. */
test('cdk synth reports every invalid prop at once, with its construct path, and no stack trace into our sources', () => {
  const app = `node ${path.join('node_modules', 'ts-node', 'dist', 'bin.js')} --transpile-only --project test/tsconfig.json test/deploy/fixtures/invalid-app.ts`;
  const result = spawnSync(
    process.execPath,
    [
      path.join('node_modules', 'aws-cdk', 'bin', 'cdk'),
      'synth',
      '--app',
      app,
      '--output',
      path.join('.tmp', 'invalid-app.out'),
      '--no-notices',
      '--no-version-reporting',
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' }, timeout: 120_000 },
  );
  expect(result.status).toBe(1);
  const lines = result.stderr.split('\n');
  const start = lines.indexOf('Error: Validation failed with the following errors:');
  expect(start).toBeGreaterThanOrEqual(0);
  const reported = lines.slice(start).filter((line) => line.startsWith('  ['));
  expect(reported).toEqual([
    '  [Stockholm/Reports] TlsReportIngestion cannot receive mail in eu-north-1: Amazon SES receives mail only in us-east-1, us-east-2, us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, ap-northeast-1, ap-southeast-1, ap-southeast-2, ap-southeast-3. Put the ingestion in a stack in one of those regions.',
    '  [Stockholm/Reports] Invalid recipient "tls reports": must be the local part of an address (before the @), at most 64 characters',
    '  [Stockholm/Reports] Invalid maxReportSize 10 bytes: must be a whole number of bytes from 1 KiB to 100 MiB',
    '  [Stockholm/MtaSts] Duplicate policy domain "example.com": published by both "Ireland/MtaSts" and "Stockholm/MtaSts". Each policy domain may have one MtaSts in an app.',
    '  [Ireland/Reports] Invalid domainName "tlsrpt.example.org": must be the hosted zone apex (example.com) or a name inside it',
    '  [Ireland/Reports] Invalid failureRateThreshold 150: must be a percentage above 0 and below 100',
    '  [Ireland/Reports] Invalid daysWithoutReports 9: must be a whole number from 1 to 7',
    '  [Ireland/Reports] Invalid domainName "Example.COM": already registered with this TlsReportIngestion',
    '  [Ireland/MtaSts/PolicySite] Invalid mx "*.com": "com" is a public suffix, so the wildcard would match other owners\' hosts',
    '  [Ireland/MtaSts/PolicySite] Invalid certificate "arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555": CloudFront needs a certificate in us-east-1, this one is in eu-west-1',
    '  [Ireland/Subdomain] Invalid domainName "mail.example.org": must be the hosted zone apex (example.com) or a name inside it',
  ]);
  // The trace that follows is aws-cdk-lib's synthesis and the user's app.synth() call, never our sources.
  const frames = lines.filter((line) => line.trim().startsWith('at '));
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.filter((line) => line.includes(path.join(ROOT, 'src') + path.sep))).toEqual([]);
}, 120_000);
