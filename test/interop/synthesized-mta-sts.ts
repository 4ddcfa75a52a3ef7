import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { PublishedMtaSts } from './mta-sts-lab';
import { MtaSts, MtaStsProps } from '../../src';
import { POLICY_CONTENT_TYPE } from '../../src/policy/policy-object';

/** Route 53 stores TXT values as quoted character-strings; DNS serves what is inside the quotes. */
function unquoteTxt(value: string): string {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return strings.join('');
}

/**
 * Synthesizes an `MtaSts` for `domain` and returns what it would publish, read back from the template: the TXT
 * values from the record set group, the policy bytes the publisher custom resource writes and the Content-Type it
 * writes them with.
 */
export function synthesizeMtaSts(
  domain: string,
  props: Pick<MtaStsProps, 'mode' | 'mx' | 'maxAge' | 'reportUris'>,
): PublishedMtaSts {
  const app = new App();
  const stack = new Stack(app, 'Interop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: domain,
  });
  new MtaSts(stack, 'MtaSts', { hostedZone, ...props });
  const template = Template.fromStack(stack);

  const txt = (name: string): string | undefined => {
    const records = Object.values(template.findResources('AWS::Route53::RecordSetGroup'))
      .flatMap(
        (group) => group.Properties.RecordSets as Array<{ Name: string; Type: string; ResourceRecords: string[] }>,
      )
      .filter((set) => set.Name === name && set.Type === 'TXT');
    if (records.length > 1) throw new Error(`more than one ${name} TXT record set`);
    return records.length === 1 ? unquoteTxt(records[0].ResourceRecords.join('')) : undefined;
  };
  const stsTxt = txt(`_mta-sts.${domain}.`);
  if (!stsTxt) throw new Error(`no _mta-sts.${domain} record synthesized`);

  const publishers = Object.values(template.findResources('Custom::MtaStsPolicies'));
  if (publishers.length !== 1) throw new Error(`expected one policy publisher, found ${publishers.length}`);
  const entry = (publishers[0].Properties.Policies as Array<{ Domain: string; Text?: string }>).find(
    (policy) => policy.Domain === domain,
  );
  if (entry?.Text === undefined) throw new Error(`the publisher writes no fixed policy for ${domain}`);
  const policyText = entry.Text;

  return {
    domain,
    stsTxt,
    tlsRptTxt: txt(`_smtp._tls.${domain}.`),
    policyText,
    contentType: POLICY_CONTENT_TYPE,
  };
}
