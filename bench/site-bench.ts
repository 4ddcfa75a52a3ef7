// Scale of the policy site: synthesizes one stack with N policy domains, a shared TlsReportIngestion (mail and
// HTTPS) and the MX drift check, and checks the targets at 100 domains: under 500 resources, under 1 MB of
// template, at most 4 resources per extra domain. Then prices the monitoring from the synthesized template.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, TlsReportIngestion } from '../src';

const DOMAINS = 100;
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_RESOURCES_PER_DOMAIN = 4;
/** CloudWatch list prices, us-east-1, per month: a custom metric (first 10,000) and a standard alarm metric. */
const METRIC_USD = 0.3;
const ALARM_METRIC_USD = 0.1;

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

interface Synthesized {
  readonly resources: Record<string, Resource>;
  readonly templateBytes: number;
}

function synthesize(domainCount: number): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-bench-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'ManyDomains', { env: { account: '111111111111', region: 'eu-west-1' } });
    const zone = (name: string) =>
      route53.HostedZone.fromHostedZoneAttributes(stack, `Zone-${name}`, {
        hostedZoneId: `Z${String(name.length).padStart(3, '0')}EXAMPLE0000000`,
        zoneName: name,
      });
    const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone: zone('example.com'), https: true });
    for (let i = 0; i < domainCount; i++) {
      const domain = `customer-${i}.example.net`;
      // One in ten reads its mx from the zone; every fifth enforces.
      new MtaSts(stack, `Domain${i}`, {
        hostedZone: zone(domain),
        mode: i % 5 === 0 ? MtaStsMode.ENFORCE : MtaStsMode.TESTING,
        mx: i % 10 === 9 ? undefined : [`mx1.${domain}`, '*.mail.protection.outlook.com'],
        reporting,
      });
    }
    const artifact = app.synth().getStackByName(stack.stackName);
    return {
      resources: (artifact.template as { Resources: Record<string, Resource> }).Resources,
      templateBytes: fs.statSync(artifact.templateFullPath).size,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Metrics an alarm evaluates (each is billed as one alarm metric), and the custom ones among them. */
function alarmMetrics(resource: Resource): { count: number; custom: string[] } {
  const props = resource.Properties ?? {};
  const stats: Array<{ Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }> =
    props.Metrics
      ? props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric)
      : [{ Namespace: props.Namespace, MetricName: props.MetricName, Dimensions: props.Dimensions }];
  const custom = stats
    .filter((m) => typeof m.Namespace === 'string' && !m.Namespace.startsWith('AWS/'))
    .map((m) => JSON.stringify([m.Namespace, m.MetricName, m.Dimensions ?? []]));
  return { count: stats.length, custom };
}

const one = synthesize(1);
const many = synthesize(DOMAINS);
const count = (s: Synthesized) => Object.keys(s.resources).length;
const perDomain = (count(many) - count(one)) / (DOMAINS - 1);
const types = new Map<string, number>();
for (const r of Object.values(many.resources)) types.set(r.Type, (types.get(r.Type) ?? 0) + 1);

const alarms = Object.values(many.resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
const alarmMetricCount = alarms.reduce((sum, a) => sum + alarmMetrics(a).count, 0);
const customMetrics = new Set(alarms.flatMap((a) => alarmMetrics(a).custom));
// Written by the handlers but not watched by an alarm: FailedSessions by ResultType (11 registered types and
// "other", less the sts-* ones the alarm already counts), ReportsRejected, and DriftCheckErrors (only on errors).
const unwatchedShared = 12 - 3 + 1;
const metricCount = customMetrics.size + unwatchedShared;
const alarmUsd = alarmMetricCount * ALARM_METRIC_USD;
const metricUsd = metricCount * METRIC_USD;

const rows: Array<[string, string, string, boolean]> = [
  ['Resources, 1 domain', String(count(one)), '', true],
  [`Resources, ${DOMAINS} domains`, String(count(many)), `< ${MAX_RESOURCES}`, count(many) < MAX_RESOURCES],
  [
    'Resources per extra domain',
    perDomain.toFixed(2),
    `≤ ${MAX_RESOURCES_PER_DOMAIN}`,
    perDomain <= MAX_RESOURCES_PER_DOMAIN,
  ],
  [
    `Template, ${DOMAINS} domains`,
    `${(many.templateBytes / 1024).toFixed(0)} KiB`,
    '< 1 MiB',
    many.templateBytes < MAX_TEMPLATE_BYTES,
  ],
  [
    'Template per extra domain',
    `${((many.templateBytes - one.templateBytes) / (DOMAINS - 1) / 1024).toFixed(2)} KiB`,
    '',
    true,
  ],
  [
    'Largest per-domain types',
    [...types]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([t, n]) => `${t} ${n}`)
      .join(', '),
    '',
    true,
  ],
];
console.log(`Policy site with ${DOMAINS} domains, a shared TlsReportIngestion and the drift check, one stack:\n`);
console.log('| Measure | Figure | Target |\n|---|---|---|');
for (const [measure, figure, target] of rows) console.log(`| ${measure} | ${figure} | ${target} |`);

console.log(`\nMonitoring cost at ${DOMAINS} domains, from the template (CloudWatch list prices per month):\n`);
console.log('| Item | Count | USD / month | USD / domain / month |\n|---|---|---|---|');
const line = (item: string, n: number, usd: number) =>
  console.log(`| ${item} | ${n} | ${usd.toFixed(2)} | ${(usd / DOMAINS).toFixed(2)} |`);
line(`Alarms (${alarms.length}), billed per metric evaluated`, alarmMetricCount, alarmUsd);
line('Custom metrics watched by alarms', customMetrics.size, customMetrics.size * METRIC_USD);
line('Custom metrics written but not alarmed on (shared)', unwatchedShared, unwatchedShared * METRIC_USD);
line('Total', alarmMetricCount + metricCount, alarmUsd + metricUsd);

const failed = rows.filter(([, , , ok]) => !ok);
if (failed.length > 0) {
  console.error(`\nTarget missed: ${failed.map(([m]) => m).join(', ')}`);
  process.exit(1);
}
