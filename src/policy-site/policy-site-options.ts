import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaStsMode } from '../policy/mode';

/**
 * The policy and its site: the props `MtaSts` and `MtaStsPolicySite` share, declared once.
 */
export interface MtaStsPolicySiteOptions {
  /**
   * The Route 53 hosted zone of the mail domain. The records, `mta-sts.<domainName>` and the certificate
   * validation go here.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The policy mode. Start with `TESTING`, read the TLS reports, then switch to `ENFORCE`.
   * Retire a policy with `NONE` (RFC 8461 §8.3).
   */
  readonly mode: MtaStsMode;

  /**
   * The MX host patterns senders may deliver to: host names (`mail.example.com`) or a wildcard as the whole
   * left-most label (`*.mail.protection.outlook.com`). Every live MX host must match one of them.
   *
   * @default - the policy domain's MX records, read from the hosted zone at each deployment that changes the
   * policy site (see `mxRefreshToken`)
   * @see https://www.rfc-editor.org/rfc/rfc8461#section-4.1
   */
  readonly mx?: string[];

  /**
   * Any string; change it to make the next deployment read the zone's MX records again, for example after
   * changing them outside this app. Only used when `mx` is not set.
   *
   * @default - the MX records are read when the policy site's other properties change
   */
  readonly mxRefreshToken?: string;

  /**
   * How long senders may cache the policy, in whole seconds from 1 second to 31557600 (one year).
   *
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;

  /**
   * Your own certificate for `mta-sts.<domainName>`; it must be in us-east-1, where CloudFront reads certificates.
   * It goes on the domain's distribution tenant (`Customizations.Certificate`).
   *
   * @default - a certificate CloudFront requests, validates (over HTTP, through the CNAME) and renews itself (no ACM
   * certificate of yours, no us-east-1 stack)
   */
  readonly certificate?: acm.ICertificate;
}
