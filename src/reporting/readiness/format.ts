import type { ReadinessAssessment } from './assessment';

/** Report strings are sender-controlled: keep terminal control sequences out of the output. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Left-aligned text, right-aligned numbers (`numeric` columns), two spaces apart; the last column unpadded. */
function table(header: string[], rows: string[][], numeric: ReadonlySet<number>): string[] {
  const cells = [header, ...rows.map((row) => row.map(printable))];
  const widths = header.map((_, col) => Math.max(...cells.map((row) => row[col].length)));
  return cells.map((row) =>
    row
      .map((cell, col) => {
        if (numeric.has(col)) return cell.padStart(widths[col]);
        return col === row.length - 1 ? cell : cell.padEnd(widths[col]);
      })
      .join('  '),
  );
}

function inPolicy(value: boolean | null): string {
  return value === null ? '-' : value ? 'yes' : 'no';
}

/** How many reports counted and who signed them (verified DKIM domains, not what the reports call themselves). */
function reportsLine(a: ReadinessAssessment): string {
  let line = `${a.reports}`;
  if (a.signers.length > 0) line += `, signed by ${a.signers.join(', ')}`;
  if (a.unsignedReports > 0) line += `, ${a.unsignedReports} without a verified signer`;
  if (a.trustedReporters !== null) {
    line += `; only signers within ${a.trustedReporters.join(', ')} count`;
    if (a.untrustedReports > 0) line += ` (${a.untrustedReports} other left out)`;
  } else {
    line += '; any DKIM signer counts (--trusted-reporters limits them)';
  }
  return line;
}

/** The verdict, its reasons, a summary and the failure tables, as printed by `cdk-mta-sts readiness`. */
export function formatReadiness(a: ReadinessAssessment): string {
  const lines: string[] = [];
  if (a.ready) {
    lines.push(`READY: ${a.domain} can switch from testing to enforce`);
  } else {
    lines.push(`NOT READY: keep ${a.domain} in testing`);
    for (const reason of a.reasons) lines.push(`  - ${printable(reason)}`);
  }
  lines.push('');

  const policy = a.reportedPolicy;
  const patterns =
    a.mxPatterns === null
      ? 'unknown'
      : `${a.mxPatterns.join(', ')} (${a.mxPatternsFrom === 'option' ? 'from --mx' : 'from the reported policy'})`;
  const summary: [string, string][] = [
    ['Window', `${a.window.from} to ${a.window.to} (${a.window.days} days), reports on ${a.daysWithReports}`],
    ['Reports', reportsLine(a)],
    [
      'Policy',
      policy === null
        ? 'no sts policy in the reports'
        : `mode ${policy.mode ?? '?'}; mx ${policy.mx.length === 0 ? '-' : policy.mx.join(', ')}` +
          ` (reported by ${policy.signer ?? 'an unverified sender'} for ${policy.date})`,
    ],
    ['MX patterns', patterns],
    [
      'Sessions',
      a.failureRatePercent === null
        ? `${a.sessions}`
        : `${a.sessions}, of which ${a.failures} failed (${a.failureRatePercent.toFixed(2)}%)`,
    ],
  ];
  if (a.ignoredPolicies.length > 0) {
    const ignored = a.ignoredPolicies.map((p) => `${p.policyType}: ${p.count}`).join(', ');
    summary.push(['Not counted', `${ignored} (only sts and no-policy-found rows count)`]);
  }
  if (a.unreadableReports > 0) summary.push(['Unreadable', `${a.unreadableReports}`]);
  const width = Math.max(...summary.map(([label]) => label.length));
  for (const [label, value] of summary) lines.push(printable(`${label.padEnd(width)}  ${value}`));
  lines.push('');

  if (a.byMxHost.length === 0) {
    lines.push('No failure details reported.');
  } else {
    lines.push(
      ...table(
        ['RESULT TYPE', 'FAILED SESSIONS'],
        a.byResultType.map((t) => [t.resultType, String(t.failedSessions)]),
        new Set([1]),
      ),
      '',
      ...table(
        ['MX HOST', 'IN POLICY', 'FAILED SESSIONS', 'RESULT TYPES'],
        a.byMxHost.map((h) => [
          h.host ?? '(unnamed host)',
          inPolicy(h.inPolicy),
          String(h.failedSessions),
          h.byResultType.map((t) => `${t.resultType} (${t.failedSessions})`).join(', '),
        ]),
        new Set([2]),
      ),
    );
  }
  return lines.join('\n') + '\n';
}
