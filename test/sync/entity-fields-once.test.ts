import { describe, expect, it } from 'vitest';
import type { ResolvedField } from '../../src/mappings/resolve-fields.js';
import { entityFieldsOnce } from '../../src/sync/entity-fields-once.js';
import type { PlannedUpdate } from '../../src/sync/plan-row.js';

const field = (id: string): ResolvedField => ({
  column: id,
  fieldId: id,
  fieldName: id,
  valueType: 'number',
  onNull: 'skip',
});
const update = (id: string, data: number): PlannedUpdate => ({
  update: { id, value: { type: 'number', data } },
  field: field(id),
});
const item = (entry: number, entityId: number, row: number, ...changed: PlannedUpdate[]) => ({
  entry: { listEntryId: entry, entityId },
  row,
  changed,
  unchanged: 0,
});
const owned = (id: string) => id === 'global';
const ids = (items: ReturnType<typeof item>[]) =>
  items.map((i) => [i.entry.listEntryId, i.changed.map((c) => c.update.id), i.unchanged]);

describe('entity-owned fields once per entity', () => {
  it('keeps the global update on one entry of the entity, the list fields on every entry', () => {
    const out = entityFieldsOnce(
      [
        item(1, 10, 3, update('global', 5), update('note', 1)),
        item(2, 10, 3, update('global', 5), update('note', 1)),
        item(3, 20, 4, update('global', 6)),
      ],
      owned,
    );
    expect(ids(out)).toEqual([
      [1, ['global', 'note'], 0],
      [2, ['note'], 1],
      [3, ['global'], 0],
    ]);
  });

  it('the entry reached by the latest row keeps it; an entry left with nothing counts it unchanged', () => {
    const out = entityFieldsOnce(
      [item(1, 10, 2, update('global', 5)), item(2, 10, 7, update('global', 6))],
      owned,
    );
    expect(ids(out)).toEqual([
      [1, [], 1],
      [2, ['global'], 0],
    ]);
  });

  it('leaves everything alone when no field is the entity’s', () => {
    const items = [item(1, 10, 1, update('note', 1)), item(2, 10, 1, update('note', 1))];
    expect(entityFieldsOnce(items, owned)).toEqual(items);
  });
});
