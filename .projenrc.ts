import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';
import { CLI_BUNDLE, cliBundleCommand } from './projenrc/cli-bundle';

// The lowest aws-cdk-lib whose own functions (provider framework, cross-region helpers) use a Lambda runtime
// AWS still lets you create: 2.197.0 moved them from nodejs20.x (blocked since 31 August 2026) to nodejs22.x.
// It also has CfnDistributionTenant and CfnConnectionGroup (2.194.0).
const CDK_FLOOR = '2.197.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-mta-sts',
  description:
    'AWS CDK constructs for MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): strict policy, DNS records, HTTPS policy site and report ingestion.',
  author: 'cdk-mta-sts maintainers',
  authorAddress: 'maintainers@cdk-mta-sts.dev',
  repositoryUrl: 'https://github.com/cdk-mta-sts/cdk-mta-sts.git',
  keywords: ['cdk', 'mta-sts', 'tls-rpt', 'rfc8461', 'rfc8460', 'email', 'route53', 'cloudfront', 'ses'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.0.5',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',
  sampleCode: false,

  prettier: true,
  prettierOptions: { settings: { singleQuote: true, printWidth: 120 } },
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'], prettier: true },

  // jest 30 pulls platform bindings our registry lacks; a lock written here would break `npm ci` elsewhere.
  jestOptions: {
    jestVersion: '^29',
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
      watchPathIgnorePatterns: ['/cdk.out/'],
    },
  },

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    // Minified: the report processor (postal-mime and the DKIM verifier) must stay within its 150 KiB budget. projen
    // hands these options on to esbuild's bundle options, which have `minify`; its BundlingOptions type does not.
    bundlingOptions: { externals: ['@aws-sdk/*'], sourcemap: false, ...({ minify: true } as object) },
  },

  bin: { 'cdk-mta-sts': CLI_BUNDLE },
  // The readiness command reads reports from S3 on the user's machine.
  bundledDeps: ['tldts', 'postal-mime', '@aws-sdk/client-s3'],
  devDeps: [
    'cdk-nag@2.37.55',
    'ts-node',
    '@types/node@^20',
    '@types/aws-lambda',
    '@aws-sdk/client-cloudfront',
    '@aws-sdk/client-route-53',
    '@aws-sdk/client-ses',
    's3rver',
    // The folder-layer rule check (test/architecture): 17.x is the last line that runs on Node 20.
    'dependency-cruiser@17.4.3',
    'jest-util@^29',
    'aws-sdk-client-mock',
    'aws-sdk-client-mock-jest',
    // A real SMTP server with STARTTLS for the check's lab (test/interop).
    'smtp-server',
    // Tests only: an independent DKIM signer and verifier to check ours against (see src/reporting/authenticity).
    'mailauth',
    // Deploy checks: CloudFormation resource schemas, and a JSON-schema validator for them.
    '@aws-cdk/aws-service-spec',
    'ajv@^8',
    // Integration tests (integ/): the newest integ-tests-alpha whose peer range includes our aws-cdk-lib floor, and
    // the runner (it brings the aws-cdk CLI, also used to test what `cdk synth` prints).
    '@aws-cdk/integ-tests-alpha@2.193.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
  ],

  github: false,
  buildWorkflow: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  gitignore: ['cdk.out', '/examples/cdk.out', '/bench/out', '.tmp'],
});

for (const pattern of ['/examples/', '/bench/', '/.ci/', '/scripts/', 'cdk.out']) project.addPackageIgnore(pattern);

// The publisher's handler logic lives next to its thin entry points and, like them, uses the AWS SDK of the Lambda
// runtime; nothing outside the handler bundles imports these files.
for (const file of ['publish-policies', 'verify-policies']) {
  project.eslint?.allowDevDeps(`src/policy-site/publisher/${file}.ts`);
}

// Fixtures are real mails: keep their bytes (CRLF line ends included) exactly as copied.
project.gitattributes.addAttributes('/test/fixtures/**', '-text');

// Drop the TypeScript import resolver: its native bindings are missing from our registry (see DEVELOPERS notes).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.tryFindObjectFile('.eslintrc.json')?.addDeletionOverride('settings.import/resolver.typescript');

// The command line, bundled into one file after jsii has compiled the modules (see projenrc/cli-bundle.ts).
project.postCompileTask.exec(cliBundleCommand());

// Tests synthesize the Lambda handlers from assets/: bundle them first, so `npm test` works on a fresh clone.
project.testTask.prependSpawn(project.bundler.bundleTask);

// ts-jest only transpiles (isolatedModules): type-check tests, examples and benchmarks as part of `npm test`.
const typecheck = project.addTask('typecheck', { description: 'Type-check tests, examples and benchmarks' });
for (const dir of ['test', 'examples', 'bench']) typecheck.exec(`tsc -p ${dir}/tsconfig.json --noEmit`);
project.testTask.spawn(typecheck);

// The package must build with jsii, and the committed API.md must match the API.
const apiCheck = project.addTask('api:check', { description: 'Compile with jsii and check that API.md is current' });
apiCheck.spawn(project.compileTask);
apiCheck.exec('mkdir -p .tmp && jsii-docgen -o .tmp/API.md');
apiCheck.exec('diff -u API.md .tmp/API.md || (echo "API.md is stale: run npx projen docgen" >&2; exit 1)');
project.testTask.spawn(apiCheck);

// Integration tests (test/integ/integ.*.ts) deploy into an AWS account with integ-runner; offline, `npm test` checks
// that their committed snapshots still match what they synthesize. Bundled assets are left out of the snapshots
// (diffAssets is off): they are rebuilt from the sources, and would add megabytes to the repository.
const integArgs = '--language typescript --directory test/integ';
// After projen's own `!/test/`, which would otherwise take these back.
project.gitignore.exclude('/test/integ/cdk-integ.out.*', '/test/integ/*.snapshot/asset.*');
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Check that the integration tests still synthesize their committed snapshots (offline)',
});
integSnapshot.exec(`integ-runner ${integArgs}`);
project.testTask.spawn(integSnapshot);
const integUpdate = project.addTask('integ:update', {
  description: 'Rewrite the integration test snapshots without deploying; review the diff',
});
integUpdate.exec(`integ-runner ${integArgs} --dry-run --update-on-failed`);
integUpdate.exec('rm -rf test/integ/*.snapshot/asset.*');
project.addTask('integ:deploy', {
  description: 'Deploy the integration tests into the AWS account of your credentials, assert, and destroy',
  exec: `integ-runner ${integArgs} --update-on-failed --parallel-regions \${MTA_STS_INTEG_REGION:-eu-west-1}`,
});

// The construct, nag and deploy-check tests against the aws-cdk-lib floor and the latest 2.x (scripts/matrix.sh).
project.addTask('test:matrix', {
  description: 'Run the construct, nag and deploy tests against the aws-cdk-lib floor and the latest 2.x',
  exec: 'bash scripts/matrix.sh',
});

// `npm run example`: synthesize examples/ offline and print what would be published.
const example = project.addTask('example', {
  description: 'Synthesize the example app into cdk.out (no AWS account needed) and print what it publishes',
});
example.spawn(project.bundler.bundleTask);
example.exec('ts-node --transpile-only --project examples/tsconfig.json examples/main.ts');

// `npm run bench`: handler bundle size and load time, the report command against a plain Node floor, peak memory on
// hostile input, and the policy site's size at 100 domains.
const bench = project.addTask('bench', {
  description:
    'Check handler bundle size and load time, time `cdk-mta-sts report --json` against a plain Node floor, measure peak memory on hostile input, and check the policy site at 100 domains',
});
bench.exec('ts-node --transpile-only --project bench/tsconfig.json bench/handler-bench.ts');
bench.exec('ts-node --transpile-only --project bench/tsconfig.json bench/report-bench.ts');
bench.exec('ts-node --transpile-only --project bench/tsconfig.json bench/hostile-bench.ts');
bench.exec('ts-node --transpile-only --project bench/tsconfig.json bench/site-bench.ts');

project.synth();
