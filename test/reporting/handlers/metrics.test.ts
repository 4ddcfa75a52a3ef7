import { ReportMetrics } from '../../../src/reporting/handlers/metrics';

const NOW = new Date('2024-09-05T08:00:00Z');

function capture(options: { namespace?: string; publishedDomains?: string[] } = {}) {
  const lines: string[] = [];
  const metrics = new ReportMetrics({
    namespace: options.namespace ?? 'MtaSts',
    publishedDomains: options.publishedDomains ?? ['example.com'],
    now: () => NOW,
    write: (line) => lines.push(line),
  });
  return { metrics, lines };
}

const policy = (details: [string, number][], successful = 7, failed = 4) => ({
  policyType: 'sts',
  policyDomain: 'example.com',
  policyStrings: [],
  mxHosts: [],
  totalSuccessfulSessionCount: successful,
  totalFailureSessionCount: failed,
  failureDetails: details.map(([resultType, failedSessionCount]) => ({
    resultType,
    failedSessionCount,
  })),
});

test('one line per domain with its three metrics, then one per result type', () => {
  const { metrics, lines } = capture({ namespace: 'Mail/Tls' });
  metrics.reportStored('example.com', [
    policy([
      ['certificate-expired', 3],
      ['sts-policy-fetch-error', 1],
    ]),
    policy([['certificate-expired', 2]], 1, 2),
  ]);

  expect(lines).toEqual([
    '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"Mail/Tls","Dimensions":[["PolicyDomain"]],' +
      '"Metrics":[{"Name":"ReportsReceived","Unit":"Count"},{"Name":"SuccessfulSessions","Unit":"Count"},' +
      '{"Name":"FailedSessions","Unit":"Count"}]}]},"PolicyDomain":"example.com","ReportsReceived":1,' +
      '"SuccessfulSessions":8,"FailedSessions":6}\n',
    '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"Mail/Tls","Dimensions":[["ResultType"]],' +
      '"Metrics":[{"Name":"FailedSessions","Unit":"Count"}]}]},"ResultType":"certificate-expired","FailedSessions":5}\n',
    '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"Mail/Tls","Dimensions":[["ResultType"]],' +
      '"Metrics":[{"Name":"FailedSessions","Unit":"Count"}]}]},"ResultType":"sts-policy-fetch-error","FailedSessions":1}\n',
  ]);
});

test('unregistered result types are counted as other, so senders cannot create metrics', () => {
  const { metrics, lines } = capture();
  metrics.reportStored('example.com', [
    policy([
      ['x-custom', 1],
      ['CERTIFICATE-EXPIRED', 2],
    ]),
  ]);

  expect(lines.slice(1).map((line) => JSON.parse(line) as { ResultType: string; FailedSessions: number })).toEqual([
    expect.objectContaining({ ResultType: 'other', FailedSessions: 3 }),
  ]);
});

test.each([
  ['example.com', 'example.com'],
  ['EXAMPLE.com.', 'EXAMPLE.com.'],
  // Subdomains too: anyone may POST reports about made-up names, and each would be three billed metrics.
  ['mx1.example.com', 'other'],
  ['example.org', 'other'],
  ['unknown', 'other'],
])('with published domains, %s is counted as PolicyDomain=%s', (domain, dimension) => {
  const { metrics, lines } = capture({ publishedDomains: ['example.com'] });
  metrics.reportStored(domain, [policy([])]);

  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ PolicyDomain: dimension });
});

test('with no published domain, every domain is PolicyDomain=other (an empty list used to mean all)', () => {
  const { metrics, lines } = capture({ publishedDomains: [] });
  metrics.reportStored('example.com', [policy([['certificate-expired', 4]])]);

  expect(lines.map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ PolicyDomain: 'other', ReportsReceived: 1, SuccessfulSessions: 7, FailedSessions: 4 }),
  ]);
});

test('an unpublished domain adds nothing to the result-type counts', () => {
  const { metrics, lines } = capture({ publishedDomains: ['example.com'] });
  metrics.reportStored('example.org', [policy([['sts-policy-fetch-error', 5]])]);

  expect(lines.map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ PolicyDomain: 'other', ReportsReceived: 1, SuccessfulSessions: 7, FailedSessions: 4 }),
  ]);
});

test('tlsa policies describe the same sessions again: counted only when the report has nothing else', () => {
  const tlsa = (successful: number, failed: number) => ({
    ...policy([['dnssec-invalid', failed]], successful, failed),
    policyType: 'tlsa',
  });
  const both = capture();
  both.metrics.reportStored('example.com', [policy([['certificate-expired', 4]]), tlsa(7, 4)]);
  expect(both.lines.map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ SuccessfulSessions: 7, FailedSessions: 4 }),
    expect.objectContaining({ ResultType: 'certificate-expired', FailedSessions: 4 }),
  ]);

  const daneOnly = capture();
  daneOnly.metrics.reportStored('example.com', [tlsa(9, 1)]);
  expect(daneOnly.lines.map((line) => JSON.parse(line))).toEqual([
    expect.objectContaining({ SuccessfulSessions: 9, FailedSessions: 1 }),
    expect.objectContaining({ ResultType: 'dnssec-invalid', FailedSessions: 1 }),
  ]);
});

test('a rejection is one dimensionless ReportsRejected', () => {
  const { metrics, lines } = capture();
  metrics.reportRejected();

  expect(lines).toEqual([
    '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"MtaSts","Dimensions":[[]],' +
      '"Metrics":[{"Name":"ReportsRejected","Unit":"Count"}]}]},"ReportsRejected":1}\n',
  ]);
});

test('writes to stdout by default', () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains: [] }).reportRejected();
    expect(write).toHaveBeenCalledTimes(1);
    expect(JSON.parse(write.mock.calls[0][0] as string)).toMatchObject({ ReportsRejected: 1 });
  } finally {
    write.mockRestore();
  }
});
