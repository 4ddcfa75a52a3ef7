import { captureOutput, NOW, REJECTED_METRICS, sesEvent } from './helpers';
import { createHandler } from '../../../src/reporting/handlers/failure-recorder.lambda';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, useS3Server } from '../../support/s3-server';

const MESSAGE_ID = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01';
const KEY = `rejected/date=2024-09-04/${MESSAGE_ID}.json`;

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;

/** The invocation record Lambda sends the OnFailure destination after the last retry. */
function invocationRecord(errorMessage: string) {
  return {
    version: '1.0',
    timestamp: '2024-09-04T10:56:01.000Z',
    requestContext: {
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:report-processor:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: sesEvent(MESSAGE_ID),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage, trace: [] },
  };
}

beforeEach(async () => {
  output = captureOutput();
});

afterEach(() => {
  jest.restoreAllMocks();
});

function handler() {
  return createHandler({
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains: [] }),
  });
}

test('after the last retry, the mail is recorded under rejected/ with the error, and counted', async () => {
  await handler()(invocationRecord('dkim: no valid signature: d=google.com temperror (key lookup timed out)'));

  expect(await s3.keys()).toEqual([KEY]);
  expect(JSON.parse((await s3.get(KEY)).body)).toEqual({
    source: `raw/${MESSAGE_ID}`,
    reason:
      'processing failed (RetriesExhausted, 3 attempts): Error: dkim: no valid signature: d=google.com temperror ' +
      '(key lookup timed out)',
    receivedAt: '2024-09-04T10:53:21.412Z',
  });
  expect(output.emf()).toEqual([REJECTED_METRICS]);
  expect(output.logs()).toEqual([{ outcome: 'failed', rejected: [KEY] }]);
});

test('a mail already rejected keeps its first reason, and is counted once', async () => {
  await handler()(invocationRecord('first'));
  await handler()(invocationRecord('second'));

  expect(JSON.parse((await s3.get(KEY)).body).reason).toContain('Error: first');
  expect(output.emf()).toEqual([REJECTED_METRICS]);
});

test('records nothing for a payload that is not an SES event with a plausible message id', async () => {
  const record = { ...invocationRecord('x'), requestPayload: sesEvent('../reports/x') };
  await handler()(record);
  await handler()({ requestPayload: {} });

  expect(await s3.keys()).toEqual([]);
});
