import { Duration, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { stsRecordValue, tlsRptRecordValue } from '../policy/records';
import { normalizeReportUri } from '../policy/report-uri';

/** TTL of the `_mta-sts` and `_smtp._tls` records unless told otherwise: short, so a new policy id spreads fast. */
const DEFAULT_RECORD_TTL = Duration.minutes(5);

/**
 * Properties for `MtaStsRecords`.
 */
export interface MtaStsRecordsProps {
  /**
   * The hosted zone that holds the policy domain.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The policy domain, normalised (lower-case A-labels, no trailing dot), at or below the zone apex.
   */
  readonly domainName: string;

  /**
   * The policy id to publish (`MtaStsPolicy.id`, or a deploy-time value): 1 to 32 letters and digits.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8461#section-3.1
   */
  readonly policyId: string;

  /**
   * TLS-RPT report destinations (`rua`), `mailto:` or `https:` URIs.
   *
   * @default - no `_smtp._tls` record
   * @see https://www.rfc-editor.org/rfc/rfc8460#section-3
   */
  readonly reportUris?: string[];

  /**
   * TTL of both TXT records.
   *
   * @default Duration.minutes(5)
   */
  readonly ttl?: Duration;
}

/**
 * The DNS half of MTA-STS and TLS-RPT: the `_mta-sts.<domain>` TXT record (`v=STSv1; id=…`) and, when there is
 * a report destination, the `_smtp._tls.<domain>` TXT record (`v=TLSRPTv1; rua=…`). Each is one record holding
 * one string, as every surveyed sender accepts.
 */
export class MtaStsRecords extends Construct {
  /** The `_mta-sts.<domain>` record. */
  public readonly stsRecord: route53.TxtRecord;

  /** The `_smtp._tls.<domain>` record, when there is a report destination. */
  public readonly tlsRptRecord?: route53.TxtRecord;

  constructor(scope: Construct, id: string, props: MtaStsRecordsProps) {
    super(scope, id);

    const reportUris = (props.reportUris ?? []).map((uri) =>
      Token.isUnresolved(uri) ? uri : normalizeReportUri(uri, 'reportUris'),
    );
    const ttl = props.ttl ?? DEFAULT_RECORD_TTL;
    validateTtl(ttl);

    this.stsRecord = new route53.TxtRecord(this, 'StsRecord', {
      zone: props.hostedZone,
      recordName: `_mta-sts.${props.domainName}.`,
      values: [stsRecordValue(props.policyId, (value) => Token.isUnresolved(value))],
      ttl,
      comment: 'MTA-STS policy id (RFC 8461)',
    });

    if (reportUris.length > 0) {
      this.tlsRptRecord = new route53.TxtRecord(this, 'TlsRptRecord', {
        zone: props.hostedZone,
        recordName: `_smtp._tls.${props.domainName}.`,
        values: [tlsRptRecordValue(reportUris, (uri) => Token.isUnresolved(uri))],
        ttl,
        comment: 'SMTP TLS reporting destinations (RFC 8460)',
      });
    }
  }
}

function validateTtl(ttl: Duration): void {
  if (Token.isUnresolved(ttl.toSeconds())) return;
  const seconds = ttl.toSeconds();
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) {
    throw new Error(`Invalid recordTtl ${ttl.toString()}: must be whole seconds from 1 to 86400`);
  }
}
