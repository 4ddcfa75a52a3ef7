import * as path from 'node:path';
import { buildExampleApp } from './app';

// Synthesizes the example into ./cdk.out and prints what it would publish, read back from the templates.
const outdir = path.join(__dirname, '..', 'cdk.out');
const { app, stack, mtaSts, reporting } = buildExampleApp(outdir);
const assembly = app.synth();

interface RecordSetProperties {
  Name: unknown;
  Type: string;
  TTL?: string;
  ResourceRecords?: unknown[];
}
interface RecordSet {
  Type: string;
  Properties: RecordSetProperties & { RecordSets?: RecordSetProperties[] };
}

/** Values known only at deploy time are shown as <LogicalId.Attribute>. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) return (intrinsic['Fn::Join'][1] as unknown[]).map(render).join(intrinsic['Fn::Join'][0]);
  if (intrinsic['Fn::GetAtt']) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
  if (intrinsic.Ref) return `<${intrinsic.Ref}>`;
  return JSON.stringify(value);
}

const lines: string[] = [
  `Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${path.relative(process.cwd(), outdir)}`,
  '',
  'DNS records:',
];
const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, RecordSet> };
const recordSets = Object.values(template.Resources).flatMap((resource) => {
  if (resource.Type === 'AWS::Route53::RecordSet') return [resource.Properties];
  if (resource.Type === 'AWS::Route53::RecordSetGroup') return resource.Properties.RecordSets ?? [];
  return [];
});
for (const { Name, Type, TTL, ResourceRecords } of recordSets) {
  const value = (ResourceRecords ?? []).map(render).join(' ');
  lines.push(`  ${render(Name).padEnd(28)} ${(TTL ?? '').padStart(4)} ${Type.padEnd(5)} ${value}`);
}
lines.push('', `Policy file ${mtaSts.policyUrl} (Content-Type: text/plain, CRLF line endings):`);
const policyLines = mtaSts.policy?.text.split('\r\n').filter((l) => l.length > 0) ?? [
  "(rendered at deploy time from the zone's MX records)",
];
lines.push(...policyLines.map((line) => `  ${line}`));
lines.push(
  '',
  'TLS-RPT reports:',
  `  by mail to ${reporting.reportAddress} (SES in ${stack.region}), and by HTTPS POST to the function URL`,
  '  mail with a DKIM signature aligned with From: reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<dedup key>.json',
  '  HTTPS (unauthenticated, counted nowhere by default): https-reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<sha256>.json',
);
console.log(lines.join('\n'));
