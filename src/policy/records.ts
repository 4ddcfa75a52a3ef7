import { normalizeReportUri } from './report-uri';

/** One DNS character-string; a longer TXT value is split, and some parsers rejoin the parts with spaces. */
export const MAX_TXT_STRING_LENGTH = 255;

const STS_ID = /^[A-Za-z0-9]{1,32}$/;

/** `https://<32-character id>.lambda-url.<region>.on.aws/`, allowing region names of up to 20 characters. */
const MAX_FUNCTION_URL_LENGTH = 'https://'.length + 32 + '.lambda-url.'.length + 20 + '.on.aws/'.length;

/**
 * The `_mta-sts` TXT record value (RFC 8461 §3.1), in the form every surveyed parser accepts.
 *
 * @param isDeployTimeValue tells a placeholder for an id known only at deploy time (rendered from MX records
 *   read then, by the same code): it is passed through unchecked.
 */
export function stsRecordValue(id: string, isDeployTimeValue: (id: string) => boolean = () => false): string {
  if (typeof id !== 'string' || (!isDeployTimeValue(id) && !STS_ID.test(id))) {
    throw new Error(`Invalid id ${JSON.stringify(id)}: must be 1 to 32 letters or digits (RFC 8461 §3.1)`);
  }
  return `v=STSv1; id=${id}`;
}

/**
 * The `_smtp._tls` TXT record value (RFC 8460 §3): one `rua` tag, URIs joined by commas without spaces,
 * duplicates dropped (first occurrence kept). Throws if the value would not fit in one DNS string.
 *
 * @param isDeployTimeValue tells placeholders for URIs known only at deploy time (a CDK token for a
 *   function URL); they are passed through unchecked and counted at the longest such a URL can be.
 */
export function tlsRptRecordValue(
  uris: readonly string[],
  isDeployTimeValue: (uri: string) => boolean = () => false,
): string {
  if (uris.length === 0) throw new Error('Invalid rua []: at least one reporting URI is required (RFC 8460 §3)');
  const unique = [...new Set(uris.map((uri) => (isDeployTimeValue(uri) ? uri : normalizeReportUri(uri, 'rua'))))];
  const value = `v=TLSRPTv1; rua=${unique.join(',')}`;
  // A deploy-time URI (a Lambda function URL) is budgeted at the longest it can be.
  const length = unique
    .map((uri) => (isDeployTimeValue(uri) ? MAX_FUNCTION_URL_LENGTH : uri.length))
    .reduce((total, uriLength) => total + uriLength + 1, 'v=TLSRPTv1; rua='.length - 1);
  if (length > MAX_TXT_STRING_LENGTH) {
    throw new Error(
      `Invalid rua ${JSON.stringify(unique)}: the record would be ${length} characters; ` +
        `keep it within one ${MAX_TXT_STRING_LENGTH}-character DNS string (fewer or shorter URIs)`,
    );
  }
  return value;
}
