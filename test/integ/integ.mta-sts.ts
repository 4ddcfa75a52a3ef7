/// Integration test: deploys the example shape (one stack in any region: the multi-tenant policy site with a
/// CloudFront-managed certificate, report ingestion with HTTPS, the stack's drift check and canary) into a real
/// account and checks it from outside. Run it with an account (see README, "Integration tests"); `npm test` only
/// checks that the committed snapshot still matches what this app synthesizes.
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, TlsReportIngestion } from '../../src';
import { MxDriftCheck } from '../../src/drift-check/mx-drift-check';

// A public hosted zone you own, delegated from its parent. The placeholders keep the snapshot deterministic.
const zoneName = process.env.MTA_STS_INTEG_ZONE_NAME ?? 'integ.example.com';
const hostedZoneId = process.env.MTA_STS_INTEG_ZONE_ID ?? 'Z0INTEGEXAMPLE';
const mx = process.env.MTA_STS_INTEG_MX ?? `mx.${zoneName}`;

const app = new App();
const env = {
  account: process.env.CDK_INTEG_ACCOUNT ?? '111111111111',
  // integ-runner's snapshot run sets CDK_INTEG_REGION to 'test-region', where SES cannot receive mail.
  region: process.env.MTA_STS_INTEG_REGION ?? 'eu-west-1',
};
const stack = new Stack(app, 'MtaStsInteg', { env });
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName });
const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone, https: true });
const mtaSts = new MtaSts(stack, 'MtaSts', {
  hostedZone,
  mode: MtaStsMode.TESTING,
  mx: [mx],
  maxAge: Duration.days(1),
  reporting,
});

// The assertions read the stack's resources, so they are deployed after it, in the same environment.
const integ = new IntegTest(app, 'MtaStsIntegTest', {
  testCases: [stack],
  diffAssets: false,
  assertionStack: new Stack(app, 'MtaStsIntegAssertions', { env }),
});

// 1. The policy file, fetched as a sender does, byte for byte.
integ.assertions
  .httpApiCall(`https://mta-sts.${zoneName}/.well-known/mta-sts.txt`)
  .expect(ExpectedResult.objectLike({ status: 200, body: mtaSts.policy!.text }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

// 2. The TXT records, as Route 53 answers them.
integ.assertions
  .awsApiCall('Route53', 'testDNSAnswer', {
    HostedZoneId: hostedZoneId,
    RecordName: `_mta-sts.${zoneName}`,
    RecordType: 'TXT',
  })
  .expect(ExpectedResult.objectLike({ RecordData: [`"v=STSv1; id=${mtaSts.policy!.id}"`], ResponseCode: 'NOERROR' }));
integ.assertions
  .awsApiCall('Route53', 'testDNSAnswer', {
    HostedZoneId: hostedZoneId,
    RecordName: `_smtp._tls.${zoneName}`,
    RecordType: 'TXT',
  })
  .expect(ExpectedResult.objectLike({ ResponseCode: 'NOERROR' }));

// 3. A report POSTed to the HTTPS endpoint is stored (201).
const report = {
  'organization-name': 'cdk-mta-sts integ',
  'date-range': { 'start-datetime': '2026-11-01T00:00:00Z', 'end-datetime': '2026-11-01T23:59:59Z' },
  'contact-info': 'integ@example.com',
  'report-id': 'cdk-mta-sts-integ-1',
  policies: [
    {
      policy: {
        'policy-type': 'sts',
        'policy-string': mtaSts.policy!.text.trim().split('\r\n'),
        'policy-domain': zoneName,
        'mx-host': [mx],
      },
      summary: { 'total-successful-session-count': 10, 'total-failure-session-count': 0 },
    },
  ],
};
integ.assertions
  .httpApiCall(reporting.httpsEndpoint!, {
    method: 'POST',
    headers: { 'Content-Type': 'application/tlsrpt+json' },
    body: JSON.stringify(report),
  })
  .expect(ExpectedResult.objectLike({ status: 201 }));

// 4. The stack's drift check (`MtaStsMxDriftCheck`, run once at deploy time, then daily) runs again and publishes
// DomainsWithUncoveredMx, the metric of its one alarm for all domains, which reads it as OK (0 domains with uncovered
// hosts: the zone's MX must be the `mx` above). UncoveredMxHosts exists only for a domain with uncovered hosts.
const driftCheck = stack.node.findChild('MtaStsMxDriftCheck') as MxDriftCheck;
integ.assertions
  .invokeFunction({ functionName: driftCheck.checkFunction.functionName })
  .expect(ExpectedResult.objectLike({ StatusCode: 200 }))
  .next(
    integ.assertions
      .awsApiCall('CloudWatch', 'listMetrics', { Namespace: 'MtaSts', MetricName: 'DomainsWithUncoveredMx' })
      .expect(
        ExpectedResult.objectLike({
          Metrics: Match.arrayWith([Match.objectLike({ MetricName: 'DomainsWithUncoveredMx' })]),
        }),
      )
      .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(60) }),
  )
  .next(
    integ.assertions
      .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [mtaSts.mxDriftAlarm!.alarmName] })
      .expect(ExpectedResult.objectLike({ MetricAlarms: [Match.objectLike({ StateValue: 'OK' })] }))
      .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(60) }),
  );
