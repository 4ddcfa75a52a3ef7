import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, TlsReportIngestion } from '../src';

/**
 * The example app: MTA-STS in testing mode for example.com, from a stack in eu-west-1 with no extra flags (the
 * policy host's certificate is CloudFront-managed, so nothing goes to us-east-1), with a TLS-RPT report ingestion
 * (mail and HTTPS). The zone is imported by id, so no AWS account is needed to synthesize it.
 */
export function buildExampleApp(outdir?: string): {
  app: App;
  stack: Stack;
  mtaSts: MtaSts;
  reporting: TlsReportIngestion;
} {
  const app = new App({ outdir });
  const stack = new Stack(app, 'MailSecurity', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });

  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE0000000000',
    zoneName: 'example.com',
  });

  // Reports arrive by mail at reports@tlsrpt.example.com and by HTTPS POST.
  const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone, https: true });

  const mtaSts = new MtaSts(stack, 'MtaSts', {
    hostedZone,
    mode: MtaStsMode.TESTING,
    mx: ['mx1.example.com', 'mx2.example.com'],
    maxAge: Duration.days(7),
    reporting,
  });

  return { app, stack, mtaSts, reporting };
}
