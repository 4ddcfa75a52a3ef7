// Differential test of the canonical-mail recognizer: on every input it either declines or gives exactly what
// postal-mime gives (as report reading sees it: headers read, the From mailbox, attachments and their bytes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusMails } from '../../../bench/corpus';
import { MailSummary, readCanonicalReportMail } from '../../../src/reporting/parser/canonical-mail';
import { parseWithPostalMime, toReportMailParts } from '../../../src/reporting/parser/mime';
import { FIXTURES, gzipJson, reportMail, reportObject } from '../mail-builder';

/** What report reading takes from a parsed mail, with bytes as base64 so that equality is exact. */
function view(email: MailSummary) {
  const { mail, parts } = toReportMailParts(email);
  return {
    mail,
    parts: parts.map((part) => ({ ...part, content: Buffer.from(part.content).toString('base64') })),
  };
}

/** Compares both paths on `raw`; returns whether the recognizer took it. */
async function compare(raw: Buffer, label: string): Promise<boolean> {
  const canonical = readCanonicalReportMail(raw);
  if (canonical === undefined) return false;
  let expected: ReturnType<typeof view>;
  try {
    expected = view(await parseWithPostalMime(raw));
  } catch (e) {
    throw new Error(`${label}: the recognizer read a mail postal-mime refuses (${(e as Error).message})`);
  }
  try {
    expect(view(canonical)).toStrictEqual(expected);
  } catch (e) {
    throw new Error(`${label}: results differ\n${(e as Error).message}\n--- input ---\n${raw.toString('latin1')}`);
  }
  return true;
}

const fixtureMails = fs
  .readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.eml'))
  .map((file) => ({ file, mail: fs.readFileSync(path.join(FIXTURES, file)).toString('latin1') }));
const corpus = [...corpusMails(200)];
const built = [
  reportMail([{ contentType: 'application/tlsrpt+gzip', filename: 'r.json.gz', body: gzipJson(reportObject()) }]),
  reportMail([{ contentType: 'application/tlsrpt+json', body: JSON.stringify(reportObject()) }]),
].map((mail, i) => ({ file: `built-${i}`, mail: mail.toString('latin1') }));

test('every fixture gives the same result through both paths, and the canonical ones are recognized', async () => {
  const recognized: string[] = [];
  for (const { file, mail } of fixtureMails) {
    if (await compare(Buffer.from(mail, 'latin1'), file)) recognized.push(file);
  }
  expect(recognized).toEqual(['mox-google.eml', 'mox-microsoft.eml', 'parsedmarc-google.com.eml']);
});

test('every bench corpus mail is recognized, with the same result', async () => {
  for (const { file, mail } of corpus) expect(await compare(Buffer.from(mail, 'latin1'), file)).toBe(true);
  for (const { file, mail } of built) expect(await compare(Buffer.from(mail, 'latin1'), file)).toBe(true);
});

/** Deterministic PRNG (Park-Miller). */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

type Mutation = (mail: string, random: () => number) => string;

const headerEnd = (mail: string) => Math.max(mail.indexOf('\n\n'), mail.indexOf('\r\n\r\n'));
const boundaryOf = (mail: string) => /boundary="?([^";\r\n]+)"?/i.exec(mail)?.[1] ?? 'none';
const pickIndex = (text: string, needle: string, random: () => number) => {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i >= 0 && found.length < 200; i = text.indexOf(needle, i + 1)) found.push(i);
  return found.length === 0 ? -1 : found[Math.floor(random() * found.length)];
};
const replaceOne = (mail: string, needle: string, replacement: string, random: () => number) => {
  const i = pickIndex(mail, needle, random);
  return i < 0 ? mail : mail.slice(0, i) + replacement + mail.slice(i + needle.length);
};
const replaceAll = (mail: string, needle: string, replacement: string) => mail.split(needle).join(replacement);

const MUTATIONS: Record<string, Mutation> = {
  truncate: (mail, random) => mail.slice(0, Math.floor(random() * mail.length)),
  truncateNearEnd: (mail, random) => mail.slice(0, mail.length - 1 - Math.floor(random() * 80)),
  foldHeader: (mail, random) => {
    const end = headerEnd(mail);
    const i = pickIndex(mail.slice(0, end), ' ', random);
    return i < 0 ? mail : `${mail.slice(0, i)}\r\n${random() < 0.5 ? '\t' : ' '}${mail.slice(i + 1)}`;
  },
  foldPartHeader: (mail, random) => replaceOne(mail, '; ', random() < 0.5 ? ';\r\n\t' : ';\n ', random),
  allLf: (mail) => replaceAll(mail, '\r\n', '\n'),
  allCrlf: (mail) => replaceAll(replaceAll(mail, '\r\n', '\n'), '\n', '\r\n'),
  oneLf: (mail, random) => replaceOne(mail, '\r\n', '\n', random),
  bareCr: (mail, random) => replaceOne(mail, '\r\n', '\r', random),
  doubleCr: (mail, random) => replaceOne(mail, '\r\n', '\r\r\n', random),
  boundaryTrailingSpace: (mail, random) =>
    replaceOne(mail, `--${boundaryOf(mail)}\r\n`, `--${boundaryOf(mail)} \r\n`, random),
  boundarySuffix: (mail, random) => replaceOne(mail, `--${boundaryOf(mail)}`, `--${boundaryOf(mail)}x`, random),
  boundaryOdd: (mail, random) => {
    const odd = ['a b', 'x(y)', 'q"uote', "it's", 'a/b:c?d', 'é', '', 'x'.repeat(80), '--'][Math.floor(random() * 9)];
    return replaceAll(mail, boundaryOf(mail), odd);
  },
  boundaryUnquoted: (mail) => mail.replace(/boundary="([^"]+)"/i, 'boundary=$1'),
  boundaryDuplicated: (mail) => mail.replace(/boundary=/i, 'boundary="other"; boundary='),
  noTerminator: (mail) => replaceAll(mail, `--${boundaryOf(mail)}--`, ''),
  epilogue: (mail) => `${mail}epilogue\r\n--${boundaryOf(mail)}\r\nmore\r\n`,
  preamble: (mail) => mail.replace(/(\r?\n\r?\n)/, `$1This is a MIME message.\r\n--${boundaryOf(mail)}x\r\n`),
  reportQp: (mail) =>
    mail.replace(/(application\/tlsrpt[^]*?Content-Transfer-Encoding: )base64/i, '$1quoted-printable'),
  report8bit: (mail) => mail.replace(/(application\/tlsrpt[^]*?Content-Transfer-Encoding: )base64/i, '$18bit'),
  textQp: (mail, random) => replaceOne(mail, 'This is', 'Th=\r\nis =C3=A9 is', random),
  text8bit: (mail, random) => replaceOne(mail, 'This is', 'Th\u00e9s is', random),
  header8bit: (mail, random) => replaceOne(mail, 'Subject: ', 'Subject: caf\u00e9 ', random),
  encodedWordSubject: (mail) => mail.replace(/Subject: /i, 'Subject: =?utf-8?q?caf=C3=A9?= '),
  encodedWordFilename: (mail) => mail.replace(/filename="/i, 'filename="=?utf-8?q?r?='),
  rfc2231Filename: (mail) => mail.replace(/filename="/i, "filename*=utf-8''r.json.gz; x=\""),
  duplicateContentType: (mail) =>
    mail.replace(/Content-Type: multipart/i, 'Content-Type: text/plain\r\nContent-Type: multipart'),
  duplicateFrom: (mail) => mail.replace(/From: /i, 'From: other@attacker.example\r\nFrom: '),
  uppercaseType: (mail) => mail.replace(/application\/tlsrpt/i, 'APPLICATION/TLSRPT'),
  commentInType: (mail) => mail.replace(/application\/tlsrpt\+gzip/i, 'application/tlsrpt+gzip (comment)'),
  inlineReport: (mail) => mail.replace(/Content-Disposition: attachment/i, 'Content-Disposition: inline'),
  textAttachment: (mail) =>
    mail.replace(/Content-Type: text\/(plain|html)/i, 'Content-Disposition: attachment\r\nContent-Type: text/$1'),
  noPartType: (mail) => mail.replace(/Content-Type: text\/(plain|html)[^\r\n]*/i, 'X-Nothing: here'),
  base64Padding: (mail, random) => replaceOne(mail, 'A', 'A=', random),
  base64Space: (mail, random) => replaceOne(mail, 'B', 'B ', random),
  base64Garbage: (mail, random) => replaceOne(mail, 'C', 'C!*', random),
  base64Drop: (mail, random) => replaceOne(mail, 'D', '', random),
  spacedColon: (mail, random) =>
    replaceOne(mail, random() < 0.5 ? 'From:' : 'Subject:', random() < 0.5 ? 'FROM \t:' : 'subject  :', random),
  lookalikeHeaders: (mail) =>
    mail.replace(/\r?\nFrom:/i, '\r\nFromage: cheese@attacker.example\r\nFrom-Alias: x@attacker.example\r\nFrom:'),
  headerFirst: (mail) => `Subject: first\r\n${mail}`,
  renamedHeader: (mail, random) =>
    mail.replace(random() < 0.5 ? /\r?\nFrom:/i : /\r?\nSubject:/i, (m) => m.replace(':', 'age: x')),
  crBeforeHeader: (mail) => mail.replace(/\r?\n(Subject|From|Content-Type):/i, '\r$1:'),
  headerInValue: (mail) => mail.replace(/Subject: /i, 'Subject: x\r\n From: evil@attacker.example\r\nX-Subject: '),
  secondReport: (mail) => {
    const b = boundaryOf(mail);
    const part = `--${b}\r\nContent-Type: application/tlsrpt+json\r\nContent-Transfer-Encoding: base64\r\n\r\ne30=\r\n`;
    return mail.replace(`--${b}--`, `${part}--${b}--`);
  },
  htmlPart: (mail) => {
    const b = boundaryOf(mail);
    return mail.replace(`--${b}--`, `--${b}\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--${b}--`);
  },
  pdfPart: (mail) => {
    const b = boundaryOf(mail);
    return mail.replace(`--${b}--`, `--${b}\r\nContent-Type: application/pdf\r\n\r\nJVBERi0=\r\n--${b}--`);
  },
  nestedMultipart: (mail) =>
    mail.replace(/Content-Type: text\/plain/i, 'Content-Type: multipart/mixed; boundary="inner"'),
  noBlankAfterPartHeaders: (mail) => mail.replace(/(Content-Transfer-Encoding: base64)\r?\n\r?\n/i, '$1\r\n'),
  headerWithoutColon: (mail) =>
    mail.replace(/MIME-Version/i, 'MIME-Version'.replace('-', ' ')).replace('Version:', 'Version'),
  leadingFold: (mail) => ` ${mail}`,
  emptySubject: (mail) => mail.replace(/Subject: [^\r\n]*/i, 'Subject:'),
  groupFrom: (mail) => mail.replace(/From: [^\r\n]*/i, 'From: Reporters: a@sender.example, b@sender.example;'),
  quotedFrom: (mail) => mail.replace(/From: [^\r\n]*/i, 'From: "Google, Inc." <noreply@google.com>'),
  otherFrom: (mail, random) => {
    const forms = [
      'a@b',
      '<a@b>',
      'Reports <a.b@c.example>',
      'Reports<a@b.example>',
      'a@b.',
      'a.@b',
      '.a@b',
      'A@B.EXAMPLE',
      'a@b <c@d>',
      '<a@b',
      'a@b>',
      'a@@b',
      '@b',
      'a@',
      'Re ports . - <x+y@z-z.example>',
      ' <a@b> ',
    ];
    return mail.replace(/From: [^\r\n]*/i, `From: ${forms[Math.floor(random() * forms.length)]}`);
  },
  description: (mail) =>
    mail.replace(
      /Content-Transfer-Encoding: base64/i,
      'Content-Description: r.json.gz\r\nContent-Transfer-Encoding: base64',
    ),
  emptyBody: (mail) => mail.replace(/(Content-Transfer-Encoding: base64\r?\n\r?\n)[A-Za-z0-9+/=\r\n]+/i, '$1'),
  reportTypeCase: (mail) => mail.replace(/multipart\/report/i, 'Multipart/Report'),
  topEncoding: (mail) => mail.replace(/MIME-Version: 1.0/i, 'MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64'),
};

test('thousands of mutations give the same result through both paths, or are declined', async () => {
  const random = prng(2046);
  const seeds = [...fixtureMails, ...built, ...corpus.slice(0, 40)];
  const names = Object.keys(MUTATIONS);
  const recognizedBy = new Map<string, number>();
  let recognized = 0;
  const runs = 4000;
  for (let run = 0; run < runs; run++) {
    const seed = seeds[Math.floor(random() * seeds.length)];
    const applied: string[] = [];
    let mail = seed.mail;
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const name = names[Math.floor(random() * names.length)];
      applied.push(name);
      mail = MUTATIONS[name](mail, random);
    }
    if (await compare(Buffer.from(mail, 'latin1'), `${seed.file} + ${applied.join(' + ')}`)) {
      recognized++;
      for (const name of applied) recognizedBy.set(name, (recognizedBy.get(name) ?? 0) + 1);
    }
  }
  // Both outcomes must be well represented, or the test proves little.
  expect(recognized).toBeGreaterThan(runs * 0.2);
  expect(recognized).toBeLessThan(runs * 0.8);
  // Harmless changes stay on the fast path.
  for (const name of ['foldHeader', 'allLf', 'allCrlf', 'oneLf', 'boundaryUnquoted', 'epilogue', 'quotedFrom']) {
    expect(recognizedBy.get(name) ?? 0).toBeGreaterThan(0);
  }
}, 120_000);
