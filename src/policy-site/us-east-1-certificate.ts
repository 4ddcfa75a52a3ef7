import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** CloudFront only accepts ACM certificates from this region. */
export const CLOUDFRONT_CERTIFICATE_REGION = 'us-east-1';

const CERTIFICATE_STACK_ID = 'MtaStsCertificates';

/**
 * Creates a DNS-validated certificate for `hostName` in us-east-1.
 *
 * In a us-east-1 stack the certificate lives in `scope`. Elsewhere it goes into one sibling us-east-1 stack per
 * app (or stage) and account, shared by every policy domain, the way `aws-route53-patterns` `HttpsRedirect` does;
 * `cdk deploy --all` deploys it first. Asking twice for the same host name returns the same certificate.
 */
export function createUsEast1Certificate(
  scope: Construct,
  hostName: string,
  hostedZone: route53.IHostedZone,
): acm.ICertificate {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.region)) {
    throw new Error(
      `MtaSts needs to know the region of stack "${stack.stackName}" to place the certificate for ${hostName} in ${CLOUDFRONT_CERTIFICATE_REGION}: ` +
        'set `env: { account, region }` on the stack, or pass `certificate` (an ACM certificate in us-east-1)',
    );
  }

  if (stack.region === CLOUDFRONT_CERTIFICATE_REGION) {
    return newCertificate(scope, 'Certificate', hostName, hostedZone);
  }

  if (!crossRegionReferencesEnabled(stack)) {
    throw new Error(
      `MtaSts in stack "${stack.stackName}" (${stack.region}) creates the certificate for ${hostName} in a ${CLOUDFRONT_CERTIFICATE_REGION} stack ` +
        'and reads it back across regions: set `crossRegionReferences: true` on the stack, or pass `certificate` (an ACM certificate in us-east-1)',
    );
  }
  if (Token.isUnresolved(hostedZone.hostedZoneId)) {
    throw new Error(
      `MtaSts in stack "${stack.stackName}" (${stack.region}) validates the us-east-1 certificate for ${hostName} in the hosted zone, ` +
        'so the zone must be imported with a literal id (HostedZone.fromHostedZoneAttributes or fromLookup), not created in this stack; ' +
        'or pass `certificate` (an ACM certificate in us-east-1)',
    );
  }

  const certificateStack = certificateStackFor(stack);
  const existing = certificateStack.node.tryFindChild(hostName) as acm.ICertificate | undefined;
  return existing ?? newCertificate(certificateStack, hostName, hostName, hostedZone);
}

function newCertificate(
  scope: Construct,
  id: string,
  hostName: string,
  hostedZone: route53.IHostedZone,
): acm.Certificate {
  return new acm.Certificate(scope, id, {
    domainName: hostName,
    validation: acm.CertificateValidation.fromDns(hostedZone),
  });
}

function certificateStackFor(stack: Stack): Stack {
  const parent = stack.node.scope;
  if (!parent) {
    throw new Error(`Stack "${stack.stackName}" must be created in the scope of an App or Stage`);
  }
  const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
  const id = account ? `${CERTIFICATE_STACK_ID}-${account}` : CERTIFICATE_STACK_ID;
  return (
    (parent.node.tryFindChild(id) as Stack | undefined) ??
    new Stack(parent, id, {
      env: { account, region: CLOUDFRONT_CERTIFICATE_REGION },
      crossRegionReferences: true,
      description: 'cdk-mta-sts: ACM certificates for MTA-STS policy hosts (CloudFront requires us-east-1)',
    })
  );
}

function crossRegionReferencesEnabled(stack: Stack): boolean {
  // Not public API; when a future aws-cdk-lib renames it, let CDK's own synth error speak instead.
  const flag = (stack as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences;
  return flag !== false;
}

/**
 * The certificate's region, or undefined when it is not known at synth time: from a literal ARN; for one created
 * in this app, its stack's region; for one imported with a deploy-time ARN (a parameter), unknown.
 */
export function certificateRegion(certificate: acm.ICertificate, scope: Construct): string | undefined {
  let region: string | undefined;
  if (!Token.isUnresolved(certificate.certificateArn)) {
    region = Stack.of(scope).splitArn(certificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  } else if (certificate instanceof acm.Certificate) {
    region = Stack.of(certificate).region;
  }
  return region === undefined || Token.isUnresolved(region) ? undefined : region;
}
