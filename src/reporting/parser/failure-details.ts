import { reject } from './errors';
import { isObject, itemString, sessionCount } from './json-values';
import { FailureDetail } from './model';
import { jsonSize, OutputBudget } from './output-budget';
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
    // Absent strings are left out: they are most of a sparse row, and of the output. Rows are many, so each string
    // is stored by a constant key and its JSON size (`,"key":"value"`) added here rather than through helpers.
    let size = FAILURE_DETAIL_OVERHEAD + jsonSize(resultType) + jsonSize(detail.failedSessionCount);
    let text = itemString(row['sending-mta-ip'], path, i, 'sending-mta-ip');
    if (text !== null) {
      detail.sendingMtaIp = text;
      size += 'sendingMtaIp'.length + 6 + text.length;
    }
    text = itemString(row['receiving-mx-hostname'], path, i, 'receiving-mx-hostname');
    if (text !== null) {
      detail.receivingMxHostname = text;
      size += 'receivingMxHostname'.length + 6 + text.length;
    }
    text = itemString(row['receiving-mx-helo'], path, i, 'receiving-mx-helo');
    if (text !== null) {
      detail.receivingMxHelo = text;
      size += 'receivingMxHelo'.length + 6 + text.length;
    }
    text = itemString(row['receiving-ip'], path, i, 'receiving-ip');
    if (text !== null) {
      detail.receivingIp = text;
      size += 'receivingIp'.length + 6 + text.length;
    }
    text = itemString(row['additional-information'], path, i, 'additional-information');
    if (text !== null) {
      detail.additionalInformation = text;
      size += 'additionalInformation'.length + 6 + text.length;
    }
    text = itemString(row['failure-reason-code'], path, i, 'failure-reason-code');
    if (text !== null) {
      detail.failureReasonCode = text;
      size += 'failureReasonCode'.length + 6 + text.length;
    }
    output.charge(size);
    return detail;
  });
  if (missingCounts > 0) {
    output.warn(`${path}: ${missingCounts} row(s) without failed-session-count, counted as 0`);
  }
  return details;
}
