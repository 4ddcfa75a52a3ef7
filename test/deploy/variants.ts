import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { buildExampleApp } from '../../examples/app';
import { MtaSts, MtaStsMode, TlsReportIngestion } from '../../src';

/** A CloudFormation template as synthesized: only the parts the deploy checks read. */
export interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly [section: string]: unknown;
}

export interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly [attribute: string]: unknown;
}

/** One synthesized stack of a variant. */
export interface SynthesizedStack {
  readonly variant: string;
  readonly stackName: string;
  readonly region: string;
  readonly template: Template;
}

const ACCOUNT = '111111111111';

function zone(stack: Stack, zoneName = 'example.com'): route53.IHostedZone {
  const id = `Zone-${zoneName}`;
  return (
    (stack.node.tryFindChild(id) as route53.IHostedZone | undefined) ??
    route53.HostedZone.fromHostedZoneAttributes(stack, id, {
      hostedZoneId: `Z0${zoneName
        .replace(/[^a-z]/g, '')
        .toUpperCase()
        .padEnd(17, '0')}`,
      zoneName,
    })
  );
}

function stackIn(app: App, region: string): Stack {
  return new Stack(app, 'MailSecurity', { env: { account: ACCOUNT, region } });
}

/**
 * The app shapes users deploy, built from the public constructs only, so the checks over them keep working when
 * the constructs' insides change.
 */
export const VARIANTS: Record<string, () => App> = {
  example: () => buildExampleApp().app,

  // The policy follows the zone's MX records (read at deploy time).
  'no-mx': () => {
    const app = new App();
    const stack = stackIn(app, 'eu-west-1');
    const hostedZone = zone(stack);
    const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone });
    new MtaSts(stack, 'MtaSts', { hostedZone, mode: MtaStsMode.TESTING, reporting });
    return app;
  },

  // In CloudFront's certificate region, where physical names and region-bound checks meet us-east-1.
  'us-east-1': () => {
    const app = new App();
    const stack = stackIn(app, 'us-east-1');
    const hostedZone = zone(stack);
    const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone, https: true });
    new MtaSts(stack, 'MtaSts', { hostedZone, mode: MtaStsMode.ENFORCE, mx: ['mx.example.com'], reporting });
    return app;
  },

  // Several zones and domains sharing one ingestion, one in each mode, one following its zone, one with the user's
  // own us-east-1 certificate on its tenant.
  'many-domains': () => {
    const app = new App();
    const stack = stackIn(app, 'eu-west-1');
    const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone: zone(stack), https: true });
    const domains: Array<[string, MtaStsMode, string[] | undefined]> = [
      ['example.com', MtaStsMode.ENFORCE, ['mx1.example.com']],
      ['example.org', MtaStsMode.TESTING, ['*.mail.example.org']],
      ['example.net', MtaStsMode.NONE, ['mx.example.net']],
      ['example.dev', MtaStsMode.TESTING, undefined],
    ];
    for (const [domain, mode, mx] of domains) {
      const certificate =
        domain === 'example.org'
          ? acm.Certificate.fromCertificateArn(
              stack,
              'OrgCertificate',
              `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`,
            )
          : undefined;
      new MtaSts(stack, `MtaSts-${domain}`, { hostedZone: zone(stack, domain), mode, mx, reporting, certificate });
    }
    return app;
  },

  // No account or region at synth time: the ingestion's region check becomes a CloudFormation rule.
  'environment-agnostic': () => {
    const app = new App();
    const stack = new Stack(app, 'MailSecurity');
    const hostedZone = zone(stack);
    const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone, https: true });
    new MtaSts(stack, 'MtaSts', { hostedZone, mode: MtaStsMode.TESTING, mx: ['mx.example.com'], reporting });
    return app;
  },

  // Only the report pipeline, added to the user's own receipt rule set and alarm topic.
  'ingestion-alone': () => {
    const app = new App();
    const stack = stackIn(app, 'us-west-2');
    new TlsReportIngestion(stack, 'TlsReports', {
      hostedZone: zone(stack),
      receiptRuleSet: ses.ReceiptRuleSet.fromReceiptRuleSetName(stack, 'RuleSet', 'my-rules'),
    });
    return app;
  },

  // Only the report pipeline, with its own rule set and topic.
  'ingestion-default': () => {
    const app = new App();
    const stack = stackIn(app, 'eu-west-1');
    new TlsReportIngestion(stack, 'TlsReports', { hostedZone: zone(stack), alarmEmails: ['ops@example.com'] });
    return app;
  },
};

const cache = new Map<string, SynthesizedStack[]>();

/** Every stack of a variant, synthesized once per test file. */
export function synthesize(variant: string): SynthesizedStack[] {
  let stacks = cache.get(variant);
  if (!stacks) {
    const assembly = VARIANTS[variant]().synth();
    stacks = assembly.stacks.map((artifact) => ({
      variant,
      stackName: artifact.stackName,
      region: artifact.environment.region,
      template: artifact.template as Template,
    }));
    cache.set(variant, stacks);
  }
  return stacks;
}

/** Every stack of every variant. */
export function allStacks(): SynthesizedStack[] {
  return Object.keys(VARIANTS).flatMap(synthesize);
}

/** `[logicalId, resource]` of every resource of `type` in a template. */
export function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}
