import { Duration, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { stsRecordValue, tlsRptRecordValue } from '../policy/records';
import { normalizeReportUri } from '../policy/report-uri';
import { PropErrors } from '../support/prop-errors';

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
   * The policy domain, normalized (lower-case A-labels, no trailing dot), at or below the zone apex.
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
 * one value, as every surveyed sender accepts. Both are one `AWS::Route53::RecordSetGroup`, one resource per
 * domain instead of two, which keeps a stack of many domains under CloudFormation's resource limit.
 */
export class MtaStsRecords extends Construct {
  /** The record set group holding both records; depend on it, or make it depend on what must come first. */
  public readonly recordSetGroup: route53.CfnRecordSetGroup;

  /** The `_mta-sts.<domain>` TXT value, as published (`v=STSv1; id=…`). */
  public readonly stsRecordValue: string;

  /** The `_smtp._tls.<domain>` TXT value, when there is a report destination. */
  public readonly tlsRptRecordValue?: string;

  constructor(scope: Construct, id: string, props: MtaStsRecordsProps) {
    super(scope, id);

    // Every invalid prop is reported at synth under this construct's path; construction goes on without it.
    const errors = new PropErrors(this);
    const reportUris = (props.reportUris ?? []).flatMap((uri) =>
      errors.value(() => [Token.isUnresolved(uri) ? uri : normalizeReportUri(uri, 'reportUris')], []),
    );
    const ttl = errors.value(() => validateTtl(props.ttl ?? DEFAULT_RECORD_TTL), DEFAULT_RECORD_TTL);

    const ttlSeconds = String(ttl.toSeconds());
    this.stsRecordValue = errors.value(
      () => stsRecordValue(props.policyId, (value) => Token.isUnresolved(value)),
      'v=STSv1; id=invalid',
    );
    const recordSets: route53.CfnRecordSetGroup.RecordSetProperty[] = [
      {
        name: `_mta-sts.${props.domainName}.`,
        type: 'TXT',
        ttl: ttlSeconds,
        resourceRecords: [txtValue(this.stsRecordValue)],
      },
    ];
    if (reportUris.length > 0) {
      this.tlsRptRecordValue = errors.value(
        () => tlsRptRecordValue(reportUris, (uri) => Token.isUnresolved(uri)),
        'v=TLSRPTv1; rua=invalid',
      );
      recordSets.push({
        name: `_smtp._tls.${props.domainName}.`,
        type: 'TXT',
        ttl: ttlSeconds,
        resourceRecords: [txtValue(this.tlsRptRecordValue)],
      });
    }
    this.recordSetGroup = new route53.CfnRecordSetGroup(this, 'Resource', {
      hostedZoneId: props.hostedZone.hostedZoneId,
      comment: 'MTA-STS policy id (RFC 8461) and TLS reporting destinations (RFC 8460)',
      recordSets,
    });
  }
}

/**
 * One TXT value as Route 53 wants it: one quoted character-string. Both values are checked to fit in one DNS string
 * (255 characters) when they are rendered; deploy-time parts (a policy id, a function URL) are short.
 */
function txtValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function validateTtl(ttl: Duration): Duration {
  const seconds = ttl.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) return ttl;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) {
    throw new Error(`Invalid ttl ${ttl.toString()}: must be whole seconds from 1 to 86400`);
  }
  return ttl;
}
