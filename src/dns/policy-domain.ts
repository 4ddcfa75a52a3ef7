import { Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { isWithinZone, normalizeDomainName } from '../policy/domain-name';

/**
 * The normalized policy domain for `hostedZone` and the `domainName` prop: the zone apex by default,
 * otherwise a name at or below the apex. Throws naming `domainName` when it is invalid or outside the zone.
 */
export function resolvePolicyDomain(hostedZone: route53.IHostedZone, domainName: string | undefined): string {
  const zoneName = Token.isUnresolved(hostedZone.zoneName)
    ? undefined
    : normalizeDomainName(hostedZone.zoneName, 'hostedZone.zoneName');
  if (domainName === undefined) {
    if (zoneName === undefined) {
      throw new Error('Invalid domainName: required when the hosted zone name is not known at synth time');
    }
    return zoneName;
  }
  if (Token.isUnresolved(domainName)) {
    throw new Error('Invalid domainName: must be known at synth time (got a token)');
  }
  const policyDomain = normalizeDomainName(domainName, 'domainName');
  if (zoneName !== undefined && !isWithinZone(policyDomain, zoneName)) {
    throw new Error(
      `Invalid domainName "${domainName}": must be the hosted zone apex (${zoneName}) or a name inside it`,
    );
  }
  return policyDomain;
}
