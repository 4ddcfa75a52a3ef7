import { NormalisedReport } from '../parser';
import { ReportMetrics } from './metrics';
import { ReportOrigin } from './report-keys';
import { Rejection, ReportStore, StoredObject } from './report-store';

/** What both ingestion paths need. */
export interface IngestDeps {
  readonly store: ReportStore;
  readonly metrics: ReportMetrics;
}

/** What became of one input, for the log. */
export type IngestOutcome =
  | {
      readonly outcome: 'stored';
      readonly source: string;
      readonly objects: readonly { readonly key: string; readonly created: boolean }[];
    }
  | {
      readonly outcome: 'rejected';
      readonly source: string;
      readonly reason: string;
      readonly key: string;
      readonly created: boolean;
    };

/**
 * Stores reports and, when `count`, counts the objects that are new: a duplicate delivery or a retry counts nothing.
 */
export async function storeReports(
  reports: readonly NormalisedReport[],
  origin: ReportOrigin,
  deps: IngestDeps,
  count = true,
): Promise<StoredObject[]> {
  const stored: StoredObject[] = [];
  for (const report of reports) {
    for await (const object of deps.store.storeReport(report, origin)) {
      if (object.created && count) deps.metrics.reportStored(object.policyDomain, object.report.policies);
      stored.push(object);
    }
  }
  return stored;
}

/** Records a rejected mail under `rejected/` and counts it, once per mail. (HTTPS refusals are only logged.) */
export async function rejectInput(rejection: Rejection, deps: IngestDeps): Promise<{ key: string; created: boolean }> {
  const recorded = await deps.store.recordRejection(rejection);
  if (recorded.created) deps.metrics.reportRejected();
  return recorded;
}
