/**
 * Who sent a report mail: DKIM verification and From alignment (RFC 8460 §3). Pure functions with an injected DNS
 * resolver, no AWS dependencies.
 */
export type { Authentication, AuthenticateOptions } from './authenticate';
export { authenticateMail, isWithin } from './authenticate';
export type { DkimSignatureResult, TxtResolver } from './dkim';
export { MAX_SIGNATURES, verifyDkimSignatures } from './dkim';
