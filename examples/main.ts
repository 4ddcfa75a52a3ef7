import * as path from 'node:path';
import { buildExampleApp } from './app';

// Synthesizes the example into ./cdk.out and prints what it would publish, read back from the templates.
const outdir = path.join(__dirname, '..', 'cdk.out');
const { app, stack, mtaSts } = buildExampleApp(outdir);
const assembly = app.synth();

interface RecordSet {
  Type: string;
  Properties: { Name: string; Type: string; TTL?: string; ResourceRecords?: string[] };
}

const lines: string[] = [
  `Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${path.relative(process.cwd(), outdir)}`,
  '',
];
const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, RecordSet> };
lines.push('DNS records:');
for (const resource of Object.values(template.Resources)) {
  if (resource.Type !== 'AWS::Route53::RecordSet') continue;
  const { Name, Type, TTL, ResourceRecords } = resource.Properties;
  const value = ResourceRecords ? ResourceRecords.join(' ') : '(alias to the CloudFront distribution)';
  lines.push(`  ${Name.padEnd(28)} ${(TTL ?? '').padStart(4)} ${Type.padEnd(5)} ${value}`);
}
lines.push('', `Policy file ${mtaSts.policyUrl} (Content-Type: text/plain, CRLF line endings):`);
for (const line of mtaSts.policy.text.split('\r\n').filter((l) => l.length > 0)) {
  lines.push(`  ${line}`);
}
console.log(lines.join('\n'));
