import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/sources/source.js';
import { EntryIndex } from '../../src/sync/entry-index.js';
import { type MatchRule, matchRow } from '../../src/sync/match-row.js';
import { companyEntry } from './entry-fixtures.js';

const idx = new EntryIndex();
idx.add(companyEntry(101, 1, 'acme.com'));
idx.add(companyEntry(102, 1, 'acme.com'));
idx.add(companyEntry(201, 2, 'globex.com', ['globex.com', 'shared.org']));
idx.add(companyEntry(301, 3, 'initech.com', ['initech.com', 'shared.org']));

const byId: MatchRule = { column: 'affinity_id', by: 'entityId' };
const byEntry: MatchRule = { column: 'entry_id', by: 'listEntryId' };
const byDomain: MatchRule = { column: 'website', by: 'domain' };
const rules = [byEntry, byId, byDomain];

function ids(row: Row, ruleList: MatchRule[] = rules) {
  const result = matchRow(row, ruleList, idx);
  return result.kind === 'matched'
    ? { rule: result.rule.by, key: result.key, entries: result.entries.map((e) => e.listEntryId) }
    : result;
}

describe('matchRow', () => {
  it('takes the first rule that hits', () => {
    expect(ids({ entry_id: 201, affinity_id: 1, website: 'acme.com' })).toEqual({
      rule: 'listEntryId',
      key: '201',
      entries: [201],
    });
    expect(ids({ entry_id: null, affinity_id: '1', website: 'globex.com' })).toEqual({
      rule: 'entityId',
      key: '1',
      entries: [101, 102],
    });
    expect(ids({ entry_id: 999, affinity_id: 998, website: 'HTTPS://www.Globex.com/x' })).toEqual({
      rule: 'domain',
      key: 'globex.com',
      entries: [201],
    });
  });

  it('skips null and blank keys', () => {
    expect(ids({ entry_id: '  ', affinity_id: null, website: 'acme.com' })).toMatchObject({ rule: 'domain' });
    expect(ids({ website: 'acme.com' })).toMatchObject({ rule: 'domain', entries: [101, 102] });
    expect(matchRow({ entry_id: null, affinity_id: '', website: null }, rules, idx)).toEqual({
      kind: 'unmatched',
      keys: [],
    });
  });

  it('lists the keys tried when nothing hits', () => {
    expect(matchRow({ entry_id: 999, affinity_id: 42n, website: 'www.nowhere.com' }, rules, idx)).toEqual({
      kind: 'unmatched',
      keys: ['entry_id=999', 'affinity_id=42', 'website=nowhere.com'],
    });
  });

  it('reports an ambiguous domain unless a later rule hits', () => {
    expect(matchRow({ website: 'shared.org' }, [byDomain, byId], idx)).toEqual({
      kind: 'ambiguous',
      key: 'shared.org',
      rule: byDomain,
      entityIds: [2, 3],
    });
    expect(ids({ website: 'shared.org', affinity_id: 3 }, [byDomain, byId])).toEqual({
      rule: 'entityId',
      key: '3',
      entries: [301],
    });
  });

  it('skips keys that cannot be keys, and reports the first when nothing hits', () => {
    expect(ids({ entry_id: 'abc', website: 'acme.com' })).toMatchObject({ rule: 'domain' });
    expect(matchRow({ entry_id: 'abc', affinity_id: 1.5, website: 'n/a' }, rules, idx)).toEqual({
      kind: 'invalid-key',
      column: 'entry_id',
      value: '"abc"',
      reason: '"abc" is not a list entry id (a positive whole number)',
    });
    expect(matchRow({ affinity_id: -4 }, [byId], idx)).toEqual({
      kind: 'invalid-key',
      column: 'affinity_id',
      value: '-4',
      reason: '-4 is not an entity id (a positive whole number)',
    });
    expect(matchRow({ website: 'not a domain' }, [byDomain], idx)).toEqual({
      kind: 'invalid-key',
      column: 'website',
      value: '"not a domain"',
      reason: '"not a domain" is not a domain',
    });
    expect(matchRow({ website: 12 }, [byDomain], idx)).toMatchObject({ reason: '12 is not a domain' });
  });
});
