import { CheckResult, fail, pass, warn } from './check-result';
import { normalizeReportUri } from '../policy/report-uri';

export const TLSRPT_RECORD = 'tlsrpt-record';

// RFC 8460 §3 (case-sensitive literals).
const VERSION = 'v=TLSRPTv1';
const FIELD_DELIMITER = /[ \t]*;[ \t]*/;
const URI_DELIMITER = /[ \t]*,[ \t]*/;
const EXTENSION = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=([\x21-\x3a\x3c\x3e-\x7e]+)$/;

/**
 * Checks the TXT records at `_smtp._tls.<domain>` by RFC 8460 §3: records not starting with `v=TLSRPTv1` are
 * discarded; none is a warning (no reports), more than one means no reporting, and the one left must follow the
 * ABNF with a `rua` of `mailto:` or `https:` URIs (the same validation the construct applies to `reportUris`).
 */
export function checkTlsRptRecords(records: readonly (readonly string[])[]): CheckResult {
  const texts = records.map((strings) => strings.join(''));
  const tlsRpt = texts.filter(
    (text) => text === VERSION || (text.startsWith(VERSION) && /^[ \t;]/.test(text.slice(VERSION.length))),
  );
  if (tlsRpt.length === 0) {
    return warn(TLSRPT_RECORD, 'no v=TLSRPTv1 TXT record: senders send no TLS reports, so failures go unseen');
  }
  if (tlsRpt.length > 1) {
    return fail(TLSRPT_RECORD, `${tlsRpt.length} v=TLSRPTv1 TXT records: senders treat the domain as not reporting`);
  }
  const record = tlsRpt[0];
  const parts = record.slice(VERSION.length).split(FIELD_DELIMITER);
  if (parts.length < 2 || parts[0] !== '') return fail(TLSRPT_RECORD, `${quote(record)} has no "; " after ${VERSION}`);
  const fields = parts.slice(1);
  if (fields[fields.length - 1] === '') fields.pop();
  let rua: string[] | undefined;
  for (const field of fields) {
    if (field.startsWith('rua=')) {
      if (rua !== undefined) continue; // the first counts
      rua = field.slice(4).split(URI_DELIMITER);
      for (const uri of rua) {
        try {
          normalizeReportUri(uri, 'rua');
        } catch (error) {
          return fail(TLSRPT_RECORD, (error as Error).message);
        }
      }
    } else if (!EXTENSION.test(field)) {
      return fail(TLSRPT_RECORD, `${quote(record)} has an invalid field ${quote(field)}`);
    }
  }
  if (rua === undefined) return fail(TLSRPT_RECORD, `${quote(record)} has no rua field`);
  return pass(TLSRPT_RECORD, `rua=${rua.join(',')}`);
}

function quote(text: string): string {
  return JSON.stringify(text);
}
