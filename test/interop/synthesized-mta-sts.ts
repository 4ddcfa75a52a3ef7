import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { PublishedMtaSts } from './mta-sts-lab';
import { MtaSts, MtaStsProps } from '../../src';

/** Route 53 stores TXT values as quoted character-strings; DNS serves what is inside the quotes. */
function unquoteTxt(value: string): string {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return strings.join('');
}

/**
 * Synthesizes an `MtaSts` for `domain` and returns what it would publish, read back from the cloud assembly:
 * the TXT values from the template, the policy bytes from the upload asset and the Content-Type the upload sets.
 */
export function synthesizeMtaSts(
  domain: string,
  props: Pick<MtaStsProps, 'mode' | 'mx' | 'maxAge' | 'reportUris'>,
): PublishedMtaSts {
  const app = new App();
  const stack = new Stack(app, 'Interop', { env: { account: '111111111111', region: 'us-east-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: domain,
  });
  new MtaSts(stack, 'MtaSts', { hostedZone, ...props });
  const assembly = app.synth();
  const template = Template.fromStack(stack);

  const txt = (name: string): string | undefined => {
    const records = Object.values(
      template.findResources('AWS::Route53::RecordSet', { Properties: { Name: name, Type: 'TXT' } }),
    );
    if (records.length > 1) throw new Error(`more than one ${name} TXT record set`);
    return records.length === 1 ? unquoteTxt((records[0].Properties.ResourceRecords as string[]).join('')) : undefined;
  };
  const stsTxt = txt(`_mta-sts.${domain}.`);
  if (!stsTxt) throw new Error(`no _mta-sts.${domain} record synthesized`);

  const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
  if (deployments.length !== 1) throw new Error(`expected one policy upload, found ${deployments.length}`);
  const upload = deployments[0].Properties;
  const assetDir = path.join(assembly.directory, `asset.${String(upload.SourceObjectKeys[0]).replace(/\.zip$/, '')}`);
  const policyText = fs.readFileSync(path.join(assetDir, '.well-known', 'mta-sts.txt'), 'latin1');

  return {
    domain,
    stsTxt,
    tlsRptTxt: txt(`_smtp._tls.${domain}.`),
    policyText,
    contentType: upload.SystemMetadata['content-type'],
  };
}
