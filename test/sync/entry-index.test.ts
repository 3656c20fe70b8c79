import { describe, expect, it } from 'vitest';
import { EntryIndex } from '../../src/sync/entry-index.js';
import { companyEntry } from './entry-fixtures.js';

function index(): EntryIndex {
  const idx = new EntryIndex();
  idx.add(
    companyEntry(
      101,
      1,
      'acme.com',
      ['acme.com', 'acme.io'],
      [{ id: 'field-1', value: { type: 'number', data: 5 } }],
    ),
  );
  // The same company on the list a second time.
  idx.add(companyEntry(102, 1, 'acme.com', ['acme.com', 'acme.io']));
  idx.add(companyEntry(201, 2, 'WWW.Globex.COM.', ['https://globex.com/', 'shared.org']));
  idx.add(companyEntry(301, 3, null, ['shared.org']));
  idx.add(companyEntry(401, 4, null, []));
  return idx;
}

describe('EntryIndex', () => {
  it('finds every entry of an entity, and an entry by its id', () => {
    const idx = index();
    expect(idx.size).toBe(5);
    expect(idx.byEntityId(1).map((e) => e.listEntryId)).toEqual([101, 102]);
    expect(idx.byEntityId(4).map((e) => e.listEntryId)).toEqual([401]);
    expect(idx.byEntityId(999)).toEqual([]);
    const entry = idx.byListEntryId(101);
    expect(entry).toMatchObject({ listEntryId: 101, entityId: 1, entityName: 'Company 1' });
    expect(entry?.values.get('field-1')).toEqual({ type: 'number', data: 5 });
    expect(idx.byListEntryId(999)).toBeUndefined();
  });

  it('finds entries by normalized primary and alternate domains', () => {
    const idx = index();
    const hit = idx.byDomain('acme.io');
    expect(hit.kind).toBe('hit');
    expect(hit.kind === 'hit' && hit.entries.map((e) => e.listEntryId)).toEqual([101, 102]);
    expect(idx.byDomain('https://www.ACME.com/about')).toMatchObject({ kind: 'hit' });
    const globex = idx.byDomain('globex.com');
    expect(globex.kind === 'hit' && globex.entries.map((e) => e.listEntryId)).toEqual([201]);
    expect(idx.byDomain('nowhere.com')).toEqual({ kind: 'miss' });
    expect(idx.byDomain('not a domain')).toEqual({ kind: 'miss' });
  });

  it('calls a domain leading to two different entities ambiguous', () => {
    expect(index().byDomain('shared.org')).toEqual({ kind: 'ambiguous', entityIds: [2, 3] });
  });

  it('refreshes values when the same entry is added again, without duplicating it', () => {
    const idx = index();
    idx.add(
      companyEntry(101, 1, 'acme.com', ['acme.com'], [{ id: 'field-1', value: { type: 'number', data: 6 } }]),
    );
    expect(idx.size).toBe(5);
    expect(idx.byEntityId(1)).toHaveLength(2);
    expect(idx.byListEntryId(101)?.values.get('field-1')).toEqual({ type: 'number', data: 6 });
    expect([...idx.entries()].map((e) => e.listEntryId)).toEqual([101, 102, 201, 301, 401]);
  });

  it('does not let callers change the index through a returned list', () => {
    const idx = index();
    idx.byEntityId(1).pop();
    expect(idx.byEntityId(1)).toHaveLength(2);
  });
});
