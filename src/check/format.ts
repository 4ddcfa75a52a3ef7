import { CheckReport } from './check-result';
import { explainVerdict } from './verdict';

const STATUS_LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

/** The human report: one row per check (status, id, detail), then the verdict. */
export function formatCheckReport(report: CheckReport): string {
  const width = Math.max(...report.checks.map((check) => check.id.length));
  const rows = report.checks.map(
    (check) => `${STATUS_LABEL[check.status]}  ${check.id.padEnd(width)}  ${oneLine(check.detail)}`,
  );
  return [
    `MTA-STS check of ${report.domain}`,
    '',
    ...rows,
    '',
    `Verdict: ${report.verdict}`,
    ...explainVerdict(report.checks).map(oneLine),
    '',
  ].join('\n');
}

function oneLine(text: string): string {
  // Details quote what servers sent; keep control characters from reaching the terminal.
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').replace(/\n/g, ' ');
}
