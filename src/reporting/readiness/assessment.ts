// What a readiness assessment takes and returns; assess.ts computes it, format.ts and the CLI present it.

export interface ReadinessOptions {
  /** The policy domain, normalized (lower-case A-labels, no trailing dot). */
  readonly domain: string;
  /** Window length: the `days` UTC days before `now`'s (today is left out: its reports are not sent yet). */
  readonly days: number;
  readonly now: Date;
  /** The policy's `mx` patterns; default: those of the most recent `sts` policy in the reports. */
  readonly mxPatterns?: readonly string[];
  /** Default `DEFAULT_MIN_SESSIONS` (assess.ts). */
  readonly minSessions?: number;
  /** Default `DEFAULT_MAX_FAILURE_RATE_PERCENT` (assess.ts). */
  readonly maxFailureRatePercent?: number;
  /** Stored objects in the window that could not be read; any makes the domain not ready. */
  readonly unreadableReports?: number;
  /**
   * When not empty, only reports whose verified signer is one of these domains or a subdomain of one count; the
   * others (HTTPS reports, which have no signer, among them) are only counted in `untrustedReports`.
   * Default: every report counts.
   */
  readonly trustedReporters?: readonly string[];
}

export interface ResultTypeCount {
  readonly resultType: string;
  readonly failedSessions: number;
}

export interface MxHostFailures {
  /** `receivingMxHostname`, lower-case without trailing dot; null for rows that name no host. */
  readonly host: string | null;
  /** Whether the mx patterns cover the host; null when there is no host or no patterns. */
  readonly inPolicy: boolean | null;
  readonly failedSessions: number;
  readonly byResultType: ResultTypeCount[];
}

/** The most recent `sts` policy as a sender saw it (its `policy-string`). */
export interface ReportedPolicy {
  readonly mode: string | null;
  readonly mx: string[];
  /** The verified DKIM signer of the report it came from; null without one (an HTTPS report). */
  readonly signer: string | null;
  /** The report's day (start of its date range). */
  readonly date: string;
}

export interface ReadinessAssessment {
  readonly domain: string;
  readonly ready: boolean;
  /** Why it is not ready, one sentence each; empty when ready. */
  readonly reasons: string[];
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  readonly criteria: {
    readonly minDaysWithReports: number;
    readonly minSessions: number;
    readonly maxFailureRatePercent: number;
  };
  readonly daysWithReports: number;
  /** Reports with at least one counted policy for the domain, each counted once. */
  readonly reports: number;
  /** The verified DKIM signers of the counted reports (never the self-declared `organization-name`). */
  readonly signers: string[];
  /** Counted reports without a verified signer: HTTPS reports (when included) and objects stored before signers were. */
  readonly unsignedReports: number;
  /** The `trustedReporters` option, or null when every signer counts. */
  readonly trustedReporters: string[] | null;
  /** Reports in the window left out because their signer is not trusted. */
  readonly untrustedReports: number;
  readonly sessions: number;
  /** Sum of `total-failure-session-count`. */
  readonly failures: number;
  /**
   * 100 * failures / sessions, a percentage like `criteria.maxFailureRatePercent`; null without sessions.
   */
  readonly failureRatePercent: number | null;
  /** Sum of `failed-session-count` per result type (types overlap, so this need not add up to `failures`). */
  readonly byResultType: ResultTypeCount[];
  readonly byMxHost: MxHostFailures[];
  readonly uncoveredMxHosts: string[];
  /** The patterns MX hosts were checked against, or null when unknown. */
  readonly mxPatterns: string[] | null;
  readonly mxPatternsFrom: 'option' | 'reports' | null;
  readonly reportedPolicy: ReportedPolicy | null;
  /** Policy rows for the domain that were not counted, by type (mostly `tlsa`). */
  readonly ignoredPolicies: { readonly policyType: string; readonly count: number }[];
  readonly unreadableReports: number;
}
