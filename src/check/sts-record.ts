import { CheckResult, fail, pass, warn } from './check-result';

export const STS_RECORD = 'sts-record';

/** The `_mta-sts` record's verdict and, when usable, its policy id. */
export interface StsRecordCheck {
  readonly result: CheckResult;
  readonly id: string | null;
}

// RFC 8461 §3.1 (RFC 7405 case-sensitive literals).
const VERSION = 'v=STSv1';
const FIELD_DELIMITER = /[ \t]*;[ \t]*/;
const ID = /^[A-Za-z0-9]{1,32}$/;
const EXTENSION = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=([\x21-\x3a\x3c\x3e-\x7e]+)$/;

/**
 * Checks the TXT records at `_mta-sts.<domain>` (each given as its strings, which are joined without spaces) the
 * way a strict RFC 8461 §3.1 sender does: records not starting with `v=STSv1` are discarded, exactly one must
 * remain, its syntax must follow the ABNF and its id must be 1 to 32 letters or digits.
 */
export function checkStsRecords(records: readonly (readonly string[])[]): StsRecordCheck {
  const texts = records.map((strings) => strings.join(''));
  const sts = texts.filter(isStsRecord);
  const unrelated = texts.length - sts.length;
  if (sts.length === 0) {
    const others = unrelated > 0 ? ` (${unrelated} other TXT record${unrelated > 1 ? 's' : ''})` : '';
    return { result: fail(STS_RECORD, `no v=STSv1 TXT record${others}: senders see no policy`), id: null };
  }
  if (sts.length > 1) {
    return {
      result: fail(
        STS_RECORD,
        `${sts.length} v=STSv1 TXT records (${sts.map(quote).join(', ')}): senders see no policy`,
      ),
      id: null,
    };
  }
  const record = sts[0];
  const problem = syntaxProblem(record);
  if (typeof problem === 'string') return { result: fail(STS_RECORD, `${quote(record)} ${problem}`), id: null };
  const id = problem.id;
  if (unrelated > 0) {
    return {
      result: warn(
        STS_RECORD,
        `id=${id}, but ${unrelated} other TXT record${unrelated > 1 ? 's' : ''} at the name; some senders count every TXT record`,
      ),
      id,
    };
  }
  return { result: pass(STS_RECORD, `id=${id}`), id };
}

function isStsRecord(text: string): boolean {
  return text === VERSION || (text.startsWith(VERSION) && /^[ \t;]/.test(text.slice(VERSION.length)));
}

/** The id, or what is wrong: `sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]`. */
function syntaxProblem(record: string): { id: string } | string {
  const parts = record.slice(VERSION.length).split(FIELD_DELIMITER);
  if (parts.length < 2 || parts[0] !== '') return 'has no "; " after v=STSv1';
  const fields = parts.slice(1);
  if (fields[fields.length - 1] === '') fields.pop();
  let id: string | undefined;
  for (const field of fields) {
    if (field.startsWith('id=')) {
      const value = field.slice(3);
      // The first id counts (RFC 8461 §3.2); one that is not 1 to 32 alphanumerics is the commonest mistake.
      if (id === undefined && !ID.test(value)) {
        return `has id ${quote(value)}: an id is 1 to 32 letters or digits, without punctuation`;
      }
      id ??= value;
    } else if (!EXTENSION.test(field)) {
      return `has an invalid field ${quote(field)}`;
    }
  }
  return id === undefined ? 'has no id field' : { id };
}

function quote(text: string): string {
  return JSON.stringify(text);
}
