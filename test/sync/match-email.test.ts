import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/sources/source.js';
import { EntryIndex } from '../../src/sync/entry-index.js';
import { type MatchRule, matchRow } from '../../src/sync/match-row.js';
import { companyEntry, personEntry } from './entry-fixtures.js';

// Person lists matched by e-mail: every address of a person, trimmed, case-insensitive.

const idx = new EntryIndex();
idx.add(personEntry(11, 1, 'Jane@Acme.com', ['Jane@Acme.com', 'jane.doe@gmail.com']));
idx.add(personEntry(12, 1, 'jane@acme.com'));
idx.add(personEntry(21, 2, 'sam@globex.com', ['sam@globex.com', 'team@shared.org']));
idx.add(personEntry(31, 3, null, ['TEAM@shared.org ']));
idx.add(personEntry(41, 4, null, []));
// A company entry's domain is never an e-mail key.
idx.add(companyEntry(51, 5, 'acme.com'));

const byEmail: MatchRule = { column: 'email', by: 'email' };
const byId: MatchRule = { column: 'person_id', by: 'entityId' };

function matched(row: Row, rules: MatchRule[] = [byEmail]) {
  const result = matchRow(row, rules, idx);
  return result.kind === 'matched'
    ? { key: result.key, entries: result.entries.map((e) => e.listEntryId) }
    : result;
}

describe('matching by e-mail', () => {
  it('finds a person by the primary or any other address, trimmed and case-insensitive', () => {
    expect(matched({ email: '  JANE@acme.COM ' })).toEqual({ key: 'jane@acme.com', entries: [11, 12] });
    expect(matched({ email: 'Jane.Doe@Gmail.com' })).toEqual({ key: 'jane.doe@gmail.com', entries: [11] });
    expect(matched({ email: 'mailto:sam@globex.com' })).toEqual({ key: 'sam@globex.com', entries: [21] });
  });

  it('two persons sharing an address make the row ambiguous', () => {
    expect(matched({ email: 'team@shared.org' })).toEqual({
      kind: 'ambiguous',
      key: 'team@shared.org',
      rule: byEmail,
      entityIds: [2, 3],
    });
    // The next rule still gets its chance.
    expect(matched({ email: 'team@shared.org', person_id: 3 }, [byEmail, byId])).toEqual({
      key: '3',
      entries: [31],
    });
  });

  it('reports an address nobody has, and text that is not an address', () => {
    expect(matched({ email: 'nobody@acme.com' })).toEqual({
      kind: 'unmatched',
      keys: ['email=nobody@acme.com'],
    });
    expect(matched({ email: 'jane at acme' })).toEqual({
      kind: 'invalid-key',
      column: 'email',
      value: '"jane at acme"',
      reason: '"jane at acme" is not an e-mail address',
    });
  });
});
