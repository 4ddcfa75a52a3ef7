import { AFTER_APEX_MX, APEX_MX_PAGE, mxSet, truncatedPage, weightedMxSet, ZONE_ID } from './recorded';
import { mxHostsFromRecordSets } from '../../../src/policy-site/mx-discovery/mx-records';
import { firstPageStart, nextPageStart, PageStart, RecordSet } from '../../../src/runtime/mx-record-pages';

const DOMAIN = 'example.com';
const FIX = 'Fix the MX record, or set `mx` on MtaSts';

function hosts(recordSets: RecordSet[], domain = DOMAIN): string[] {
  return mxHostsFromRecordSets(recordSets, domain, ZONE_ID);
}

describe('mxHostsFromRecordSets', () => {
  test('normalises and sorts the hosts of a recorded page, ignoring other types and names', () => {
    expect(hosts(APEX_MX_PAGE.parsed.ResourceRecordSets!)).toEqual(['mx1.example.com', 'mx2.example.com']);
  });

  test('the result does not depend on API order or preference', () => {
    const a = hosts([mxSet(['10 b.example.com.', '20 a.example.com.', '30 c.example.com.'])]);
    const b = hosts([mxSet(['30 c.example.com.', '5 A.EXAMPLE.COM', '10 b.example.com.'])]);
    expect(a).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    expect(b).toEqual(a);
  });

  test('drops duplicates (same host at two preferences, or in two weighted sets)', () => {
    expect(
      hosts([
        weightedMxSet('eu', ['10 mx1.example.com.', '20 MX1.example.com.']),
        weightedMxSet('us', ['10 mx1.example.com', '20 mx2.example.com.']),
      ]),
    ).toEqual(['mx1.example.com', 'mx2.example.com']);
  });

  test('joins every MX set of the name: a sender may be routed to any of them', () => {
    expect(
      hosts([weightedMxSet('eu', ['10 mx-eu.example.com.']), weightedMxSet('us', ['10 mx-us.example.com.'])]),
    ).toEqual(['mx-eu.example.com', 'mx-us.example.com']);
  });

  test('matches the record name case-insensitively, with or without the trailing dot', () => {
    expect(hosts([mxSet(['10 mx1.example.com.'], 'Example.COM')])).toEqual(['mx1.example.com']);
  });

  test('U-labels become A-labels', () => {
    expect(hosts([mxSet(['10 mail.bücher.example.'])])).toEqual(['mail.xn--bcher-kva.example']);
  });

  test('a subdomain policy reads the subdomain MX only', () => {
    expect(hosts(APEX_MX_PAGE.parsed.ResourceRecordSets!, 'lists.example.com')).toEqual(['lists-mx.example.net']);
  });

  describe('no MX records', () => {
    const NO_MX = `No MX records for example.com in hosted zone ${ZONE_ID}: add them, or set \`mx\` on MtaSts`;

    test.each<[string, RecordSet[]]>([
      ['an empty listing', []],
      ['only other types of the name and other names', AFTER_APEX_MX],
      ['an MX set of a subdomain only', [mxSet(['10 mx1.example.com.'], 'lists.example.com.')]],
      ['an MX set of a name that merely ends the same', [mxSet(['10 mx1.example.com.'], 'myexample.com.')]],
      ['an MX set without values', [mxSet([])]],
    ])('%s', (_name, recordSets) => {
      expect(() => hosts(recordSets)).toThrow(new Error(NO_MX));
    });
  });

  describe('a host that cannot be a pattern fails with the record, the zone and the reason', () => {
    const where = `of example.com in hosted zone ${ZONE_ID} cannot be an MTA-STS mx pattern`;
    test.each<[string, string, string]>([
      [
        'a null MX (RFC 7505)',
        '0 .',
        `MX record "0 ." ${where}: Invalid mx ".": has an empty label (a null MX, RFC 7505: the domain accepts no mail). ${FIX}`,
      ],
      [
        'an IPv4 address',
        '10 192.0.2.1.',
        `MX record "10 192.0.2.1." ${where}: Invalid mx "192.0.2.1.": is an IP address; give a host name. ${FIX}`,
      ],
      [
        'an IPv6 address',
        '10 2001:db8::25',
        `MX record "10 2001:db8::25" ${where}: Invalid mx "2001:db8::25": is an IP address; give a host name. ${FIX}`,
      ],
      [
        'an underscore',
        '10 mail_1.example.com.',
        `MX record "10 mail_1.example.com." ${where}: Invalid mx "mail_1.example.com.": contains an underscore; host names allow only letters, digits and hyphens. ${FIX}`,
      ],
      [
        'a single label',
        '10 localhost.',
        `MX record "10 localhost." ${where}: Invalid mx "localhost.": must have at least two labels (e.g. "example.com"). ${FIX}`,
      ],
      [
        'a broken A-label',
        '10 xn--bcher-kva-.example.',
        `MX record "10 xn--bcher-kva-.example." ${where}: Invalid mx "xn--bcher-kva-.example.": has an invalid A-label "xn--bcher-kva-". ${FIX}`,
      ],
      [
        'a wildcard, which as a pattern would match other hosts too',
        '10 *.example.com.',
        `MX record "10 *.example.com." ${where}: the host "*.example.com." contains a wildcard. ${FIX}`,
      ],
    ])('%s', (_name, value, message) => {
      expect(() => hosts([mxSet(['10 mx1.example.com.', value])])).toThrow(new Error(message));
    });

    test.each(['garbage', '10', 'mx1.example.com.', '10 mx1.example.com. extra'])(
      'an MX value that is not "<preference> <host>": %p',
      (value) => {
        expect(() => hosts([mxSet([value])])).toThrow(
          new Error(
            `MX record ${JSON.stringify(value)} of example.com in hosted zone ${ZONE_ID} is not "<preference> <host>"`,
          ),
        );
      },
    );
  });

  test('an alias MX set fails: its hosts are not in the listing', () => {
    const alias: RecordSet = {
      Name: 'example.com.',
      Type: 'MX',
      AliasTarget: { DNSName: 'mail.example.com.' },
    };
    expect(() => hosts([alias])).toThrow(
      new Error(
        `The MX record of example.com in hosted zone ${ZONE_ID} is an alias to mail.example.com., which cdk-mta-sts does not follow: set \`mx\` on MtaSts`,
      ),
    );
  });
});

describe('pagination', () => {
  const FIRST: PageStart = { StartRecordName: 'example.com', StartRecordType: 'MX' };

  test('starts at the domain MX', () => {
    expect(firstPageStart(DOMAIN)).toEqual(FIRST);
  });

  test('stops after an untruncated page', () => {
    expect(nextPageStart(APEX_MX_PAGE.parsed, DOMAIN, FIRST)).toBeUndefined();
  });

  test('continues inside the MX sets of the domain, passing the identifier on', () => {
    const page = truncatedPage([weightedMxSet('eu', ['10 mx-eu.example.com.'])], {
      name: 'example.com.',
      type: 'MX',
      identifier: 'us',
    });
    expect(nextPageStart(page, DOMAIN, FIRST)).toEqual({
      StartRecordName: 'example.com.',
      StartRecordType: 'MX',
      StartRecordIdentifier: 'us',
    });
  });

  test.each<[string, { name: string; type: string; identifier?: string }]>([
    ['another type of the domain follows', { name: 'example.com.', type: 'NS' }],
    ['a subdomain follows', { name: '_mta-sts.example.com.', type: 'TXT' }],
    ["a subdomain's MX follows", { name: 'lists.example.com.', type: 'MX' }],
    ['another name follows', { name: 'examplf.com.', type: 'A' }],
  ])('stops when the page is truncated but %s', (_name, next) => {
    expect(nextPageStart(truncatedPage([mxSet(['10 mx1.example.com.'])], next), DOMAIN, FIRST)).toBeUndefined();
  });

  test('a truncated page without the next name fails rather than publish a partial list', () => {
    expect(() =>
      nextPageStart({ ResourceRecordSets: [mxSet(['10 mx1.example.com.'])], IsTruncated: true }, DOMAIN, FIRST),
    ).toThrow(
      new Error('Route 53 returned a truncated page of hosted zone records without NextRecordName and NextRecordType'),
    );
  });

  test('a page pointing at its own start fails instead of looping', () => {
    const current: PageStart = { StartRecordName: 'example.com.', StartRecordType: 'MX', StartRecordIdentifier: 'us' };
    const page = truncatedPage([], { name: 'example.com.', type: 'MX', identifier: 'us' });
    expect(() => nextPageStart(page, DOMAIN, current)).toThrow(
      new Error('Route 53 returned the same page of hosted zone records twice (at example.com. MX us)'),
    );
  });
});
