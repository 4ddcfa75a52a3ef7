/**
 * The normalised form of one SMTP TLS report (RFC 8460 §4), whatever the sender's quirks.
 *
 * Field names are the RFC names in camelCase. Optional RFC strings that were missing, `null` or
 * empty are `null`, except in failure rows, which leave them out; lists that were missing are `[]`; counts are kept
 * exactly as sent.
 */
export interface NormalisedReport {
  /** `organization-name`; `null` when missing or empty. */
  readonly organizationName: string | null;
  /** `report-id`, as sent (not unique across senders: use {@link dedupKey}). */
  readonly reportId: string;
  /** `contact-info`; `null` when missing, `null` or empty (Stalwart sends `null`). */
  readonly contactInfo: string | null;
  /** `date-range`, as ISO 8601 UTC strings (`2024-01-09T00:00:00Z`); zone-less input is read as UTC. */
  readonly dateRange: DateRange;
  /** `policies`, in the order sent. */
  readonly policies: NormalisedPolicy[];
  /** Things a reader should know that did not justify rejecting the report (e.g. counts that disagree). */
  readonly warnings: string[];
  /** Present when the report came out of a mail. */
  readonly mail?: ReportMail;
}

export interface DateRange {
  readonly startDatetime: string;
  readonly endDatetime: string;
}

export interface NormalisedPolicy {
  /** `policy.policy-type`: `sts`, `tlsa` or `no-policy-found`; other values are kept, with a warning. */
  readonly policyType: string;
  /**
   * `policy.policy-domain`, lower-cased; when missing, the mail's `TLS-Report-Domain` header (with a warning) or `null`.
   * For `tlsa` policies this is the TLSA base domain, i.e. possibly an MX host name.
   */
  readonly policyDomain: string | null;
  /** `policy.policy-string`; a single element holding a JSON-encoded array (Microsoft TLSA) is unpacked. */
  readonly policyStrings: string[];
  /** `policy.mx-host`; a bare string becomes a one-element list and an `mx: ` prefix is dropped. */
  readonly mxHosts: string[];
  /** `summary.total-successful-session-count` (0, with a warning, when missing). */
  readonly totalSuccessfulSessionCount: number;
  /** `summary.total-failure-session-count` (0, with a warning, when missing). */
  readonly totalFailureSessionCount: number;
  /** `failure-details`; `[]` when missing. */
  readonly failureDetails: FailureDetail[];
}

/**
 * One `failure-details` row. Its optional strings are left out when they were missing, `null` or empty: rows are
 * the bulk of a report, and most senders leave half of these fields out.
 */
export interface FailureDetail {
  /** `result-type`, e.g. `certificate-expired`; unregistered values are kept, with a warning. */
  readonly resultType: string;
  /** `failed-session-count` (0, with a warning, when missing). */
  readonly failedSessionCount: number;
  readonly sendingMtaIp?: string;
  readonly receivingMxHostname?: string;
  readonly receivingMxHelo?: string;
  readonly receivingIp?: string;
  /** `additional-information` (a URI in the RFC; kept verbatim). */
  readonly additionalInformation?: string;
  /** `failure-reason-code` (free text). */
  readonly failureReasonCode?: string;
}

/** What the carrying mail said about the report. Header values are not authenticated. */
export interface ReportMail {
  /** `TLS-Report-Domain` header, lower-cased. */
  readonly tlsReportDomain: string | null;
  /** `TLS-Report-Submitter` header, lower-cased. */
  readonly tlsReportSubmitter: string | null;
  readonly messageId: string | null;
  /** Address of the first `From` mailbox. */
  readonly from: string | null;
  readonly subject?: string;
  /** SES DKIM verdict (`PASS`, `FAIL`, …); set by the ingesting Lambda, never by the parser. */
  readonly dkimVerdict?: string;
}

export interface ParseOptions {
  /** Largest accepted input (mail or JSON file), in bytes. Default 20 MiB. */
  readonly maxInputBytes?: number;
  /**
   * Largest accepted decompressed report, in bytes; enforced while inflating. Default 20 MiB. In a mail it also caps
   * the decompressed bytes of all its gzipped report parts together, so that one mail inflates to at most this much.
   * It also caps each normalized report, measured as JSON, so sparse input cannot expand when normalized.
   */
  readonly maxDecompressedBytes?: number;
  /** Most report parts accepted in one mail; a mail with more is rejected before any is decompressed. Default 10. */
  readonly maxReportParts?: number;
}

export const DEFAULT_MAX_INPUT_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024;
/** Real senders put one report in a mail (RFC 8460 §5.3 allows several); 10 leaves room without inviting abuse. */
export const DEFAULT_MAX_REPORT_PARTS = 10;
