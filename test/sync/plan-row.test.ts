import { describe, expect, it } from 'vitest';
import type { ResolvedField } from '../../src/mappings/resolve-fields.js';
import { diffUpdates } from '../../src/sync/diff-updates.js';
import { EntryIndex } from '../../src/sync/entry-index.js';
import { type MappedField, planRow } from '../../src/sync/plan-row.js';
import { companyEntry } from './entry-fixtures.js';

const rules = [
  { column: 'company_id', by: 'entityId' as const },
  { column: 'domain', by: 'domain' as const },
];

function mapped(
  column: string,
  fieldId: string,
  valueType: ResolvedField['valueType'],
  onNull: 'skip' | 'clear',
): MappedField {
  const field: ResolvedField = { column, fieldId, fieldName: column.toUpperCase(), valueType, onNull };
  return { field, target: { fieldId, fieldName: field.fieldName, valueType } };
}

const fields = [
  mapped('arr', 'field-1', 'number', 'skip'),
  mapped('notes', 'field-2', 'text', 'clear'),
  mapped('founded', 'field-3', 'datetime', 'skip'),
];

function index(): EntryIndex {
  const idx = new EntryIndex();
  idx.add(
    companyEntry(101, 1, 'acme.com', ['acme.com'], [{ id: 'field-1', value: { type: 'number', data: 5 } }]),
  );
  idx.add(companyEntry(201, 2, 'shared.org', ['shared.org']));
  idx.add(companyEntry(301, 3, null, ['shared.org']));
  return idx;
}

describe('planRow', () => {
  it('converts what it can, clears on null where asked, and reports what it cannot convert', () => {
    const plan = planRow(
      { company_id: null, domain: 'https://www.ACME.com/x', arr: '12.5', notes: null, founded: 'soon' },
      7,
      rules,
      index(),
      fields,
    );
    expect(plan).toMatchObject({ kind: 'matched', key: 'domain=acme.com' });
    if (plan.kind !== 'matched') return;
    expect(plan.entries.map((e) => e.listEntryId)).toEqual([101]);
    expect(plan.updates.map((u) => u.update)).toEqual([
      { id: 'field-1', value: { type: 'number', data: 12.5 } },
      { id: 'field-2', value: { type: 'text', data: null } },
    ]);
    expect(plan.rejections).toEqual([
      {
        code: 'rejected-value',
        row: 7,
        key: 'domain=acme.com',
        column: 'founded',
        reason: expect.stringContaining('"soon"'),
      },
    ]);
  });

  it('reports unmatched and ambiguous rows with their keys', () => {
    expect(planRow({ company_id: 9, domain: 'nowhere.example' }, 1, rules, index(), fields)).toEqual({
      kind: 'unmatched',
      problem: {
        code: 'unmatched',
        row: 1,
        key: 'company_id=9, domain=nowhere.example',
        reason: 'no list entry matches company_id=9 or domain=nowhere.example',
      },
    });
    expect(planRow({ company_id: null, domain: null }, 2, rules, index(), fields)).toEqual({
      kind: 'unmatched',
      problem: { code: 'missing-key', row: 2, reason: 'no match key: company_id, domain all empty' },
    });
    // The one place the ambiguous message is pinned; other tests assert the code.
    expect(planRow({ company_id: null, domain: 'shared.org' }, 3, rules, index(), fields)).toEqual({
      kind: 'ambiguous',
      problem: {
        code: 'ambiguous',
        row: 3,
        key: 'domain=shared.org',
        reason:
          'ambiguous: domain=shared.org belongs to 2 companies on the list (2, 3); not written — match by entity id instead',
      },
    });
  });
});

describe('diffUpdates', () => {
  it('keeps only changed values in diff mode and every value in overwrite mode', () => {
    const entry = index().byListEntryId(101)!;
    const updates = [
      { update: { id: 'field-1', value: { type: 'number' as const, data: 5 } }, field: fields[0]!.field },
      { update: { id: 'field-2', value: { type: 'text' as const, data: 'new' } }, field: fields[1]!.field },
    ];
    const diff = diffUpdates(entry, updates, 'diff');
    expect(diff.changed.map((u) => u.update.id)).toEqual(['field-2']);
    expect(diff.unchanged).toBe(1);
    expect(diffUpdates(entry, updates, 'overwrite')).toEqual({ changed: updates, unchanged: 0 });
  });
});
