/**
 * Regions where Amazon SES receives mail (SES developer guide, "Email receiving endpoints"). Receipt rules
 * cannot be created elsewhere.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/ses.html
 */
export const SES_RECEIVING_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
];

/** The SES inbound SMTP endpoint a reporting domain's MX record points at. */
export function inboundSmtpEndpoint(region: string): string {
  return `inbound-smtp.${region}.amazonaws.com`;
}
