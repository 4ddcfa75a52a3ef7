import { CheckReport } from './check-result';
import type { ReadinessAssessment } from '../reporting/readiness';

/** A readiness assessment with the live check folded in (`readiness --live`). */
export type LiveReadinessAssessment = ReadinessAssessment & { readonly live: CheckReport };

/**
 * Folds a live check into a report-based assessment: any failed check makes it not ready, with the check as a
 * reason. Reports can look clean while an MX host's certificate is already broken (expired yesterday, or a backup
 * MX that no sender has used yet), and in `enforce` that host would lose mail.
 */
export function foldLiveCheck(assessment: ReadinessAssessment, live: CheckReport): LiveReadinessAssessment {
  const failed = live.checks.filter((check) => check.status === 'fail');
  return {
    ...assessment,
    ready: assessment.ready && failed.length === 0,
    reasons: [...assessment.reasons, ...failed.map((check) => `live check ${check.id} failed: ${check.detail}`)],
    live,
  };
}
