import { reject } from './errors';
import { isObject, itemString, sessionCount } from './json-values';
import { FailureDetail } from './model';
import { jsonSize, memberSize, OutputBudget } from './output-budget';
import { RESULT_TYPES } from '../result-types';

/** `{"resultType":,"failedSessionCount":}` and the comma before the next row, without the values. */
const FAILURE_DETAIL_OVERHEAD = '{"resultType":,"failedSessionCount":},'.length;

/**
 * A policy's `failure-details` (`[]` when missing), with the result types not in the registry added to
 * `unknownResultTypes` and each row's JSON size charged to `output`.
 */
export function normaliseFailureDetails(
  value: unknown,
  path: string,
  output: OutputBudget,
  unknownResultTypes: Set<string>,
): FailureDetail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) reject(`${path} is not a list`);
  let missingCounts = 0;
  const details = value.map((row: unknown, i): FailureDetail => {
    if (!isObject(row)) reject(`${path}[${i}] is not an object`);
    // Rows are many: their paths are built only for an error message, and each member is read by a constant key.
    const resultType =
      itemString(row['result-type'], path, i, 'result-type') ?? reject(`${path}[${i}].result-type is missing`);
    if (!RESULT_TYPES.has(resultType)) unknownResultTypes.add(resultType);
    const sessions = row['failed-session-count'];
    const failedSessionCount =
      typeof sessions === 'number' && Number.isSafeInteger(sessions) && sessions >= 0
        ? sessions
        : sessionCount(sessions, `${path}[${i}].failed-session-count`);
    if (failedSessionCount === undefined) missingCounts++;
    const detail: { -readonly [K in keyof FailureDetail]: FailureDetail[K] } = {
      resultType,
      failedSessionCount: failedSessionCount ?? 0,
    };
    // Absent strings are left out: they are most of a sparse row, and of the output. Each is stored by a constant
    // key, which keeps this loop over every row fast.
    const sendingMtaIp = itemString(row['sending-mta-ip'], path, i, 'sending-mta-ip');
    if (sendingMtaIp !== null) detail.sendingMtaIp = sendingMtaIp;
    const receivingMxHostname = itemString(row['receiving-mx-hostname'], path, i, 'receiving-mx-hostname');
    if (receivingMxHostname !== null) detail.receivingMxHostname = receivingMxHostname;
    const receivingMxHelo = itemString(row['receiving-mx-helo'], path, i, 'receiving-mx-helo');
    if (receivingMxHelo !== null) detail.receivingMxHelo = receivingMxHelo;
    const receivingIp = itemString(row['receiving-ip'], path, i, 'receiving-ip');
    if (receivingIp !== null) detail.receivingIp = receivingIp;
    const additionalInformation = itemString(row['additional-information'], path, i, 'additional-information');
    if (additionalInformation !== null) detail.additionalInformation = additionalInformation;
    const failureReasonCode = itemString(row['failure-reason-code'], path, i, 'failure-reason-code');
    if (failureReasonCode !== null) detail.failureReasonCode = failureReasonCode;
    const size =
      FAILURE_DETAIL_OVERHEAD +
      jsonSize(resultType) +
      jsonSize(detail.failedSessionCount) +
      memberSize('sendingMtaIp', sendingMtaIp) +
      memberSize('receivingMxHostname', receivingMxHostname) +
      memberSize('receivingMxHelo', receivingMxHelo) +
      memberSize('receivingIp', receivingIp) +
      memberSize('additionalInformation', additionalInformation) +
      memberSize('failureReasonCode', failureReasonCode);
    output.charge(size);
    return detail;
  });
  if (missingCounts > 0) {
    output.warn(`${path}: ${missingCounts} row(s) without failed-session-count, counted as 0`);
  }
  return details;
}
