import { describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import type { AffinityClient } from '../../src/affinity/client.js';
import type { FieldUpdate } from '../../src/affinity/field-value.js';
import { PassThroughLimiter } from '../../src/affinity/pass-through-limiter.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Mapping } from '../../src/mappings/mapping-schema.js';
import { type Change, type ChangeSink, changeCap } from '../../src/sync/change-log.js';
import { EntryIndex } from '../../src/sync/entry-index.js';
import type { EntryChanges } from '../../src/sync/phases/plan-rows.js';
import { startRun } from '../../src/sync/phases/run-context.js';
import { writeChanges } from '../../src/sync/phases/write-changes.js';
import type { MappedField } from '../../src/sync/plan-row.js';
import type { Target } from '../../src/sync/target.js';
import { companyEntry } from './entry-fixtures.js';

// The write phase against an in-memory Target: what the seam asks of a destination.

const field: MappedField = {
  field: { column: 'arr', fieldId: 'field-1', fieldName: 'ARR', valueType: 'number', onNull: 'skip' },
  target: { fieldId: 'field-1', fieldName: 'ARR', valueType: 'number' },
};

function changesFor(entryIds: number[]): EntryChanges[] {
  const index = new EntryIndex();
  for (const id of entryIds) index.add(companyEntry(id, id, null));
  return entryIds.map((id, i) => ({
    entry: index.byListEntryId(id)!,
    row: i + 1,
    key: `company_id=${id}`,
    changed: [{ update: { id: 'field-1', value: { type: 'number', data: id } }, field: field.field }],
    unchanged: 0,
  }));
}

function memoryTarget(fail: (recordId: number) => AffinityApiError | undefined) {
  const written: Array<{ recordId: number; updates: FieldUpdate[] }> = [];
  const target: Target = {
    describeFields: () => Promise.resolve({ ok: true, fields: [] }),
    dropdownOptions: () => Promise.resolve([]),
    readCurrent: async function* () {},
    writeRecord: (recordId, updates) => {
      const error = fail(recordId);
      if (error) return Promise.reject(error);
      written.push({ recordId, updates });
      return Promise.resolve();
    },
  };
  return { target, written };
}

function run(dryRun = false, onChanges?: ChangeSink) {
  const client = { calls: { total: 0, read: 0, write: 0, retried: 0, rateLimited: 0 } };
  const mapping = { name: 'seam', list: 1, mode: 'diff', match: [] } as unknown as Mapping;
  return startRun(
    {
      client: client as unknown as AffinityClient, // only `calls` is read by the run context
      limiter: new PassThroughLimiter(),
      openSource: () => {
        throw new Error('the write phase never opens a source');
      },
      logger: silentLogger,
    },
    { mapping, dryRun, concurrency: 2, ...(onChanges ? { onChanges } : {}) },
  );
}

const refused = (status: number) =>
  new AffinityApiError({
    method: 'PATCH',
    path: '/v2/lists/1/list-entries/102/fields',
    status,
    code: 'validation',
    affinityMessage: 'bad value',
  });

describe('writeChanges through a Target', () => {
  it('writes each entry once; an entry Affinity refuses is an entry-failed problem and the rest go on', async () => {
    const { target, written } = memoryTarget((id) => (id === 102 ? refused(422) : undefined));
    const context = run();
    const outcome = await writeChanges(context, target, [field], changesFor([101, 102, 103]));
    expect(outcome).toEqual({ ok: true, value: undefined });
    expect(written.map((w) => w.recordId).sort()).toEqual([101, 103]);
    expect(context.tally.entries).toEqual({ updated: 2, unchanged: 0, failed: 1 });
    expect(context.tally.fields.written).toBe(2);
    expect(context.problems.items).toEqual([
      { code: 'entry-failed', row: 2, key: 'company_id=102', entryId: 102, reason: refused(422).message },
    ]);
    // A real run's changes are the fields that landed: not those of the refused entry.
    expect(context.changes.items.map((c) => c.entryId).sort()).toEqual([101, 103]);
    expect(context.changes.items.find((c) => c.entryId === 101)).toEqual({
      entryId: 101,
      entityId: 101,
      entityName: 'Company 101',
      fieldId: 'field-1',
      fieldName: 'ARR',
      before: null,
      after: 101,
      sent: 101,
    });
  });

  it('an entry whose second batch fails lists only the fields of its first batch as changed', async () => {
    let calls = 0;
    const { target } = memoryTarget(() => (++calls === 2 ? refused(422) : undefined));
    const [write] = changesFor([101]);
    write!.changed = Array.from({ length: 150 }, (_, i) => ({
      update: { id: `field-${i + 1}`, value: { type: 'number' as const, data: i } },
      field: { ...field.field, fieldId: `field-${i + 1}`, fieldName: `F${i + 1}` },
    }));
    const context = run();
    await writeChanges(context, target, [field], [write!]);
    expect(context.tally.fields.written).toBe(100);
    expect(context.changes.items.map((c) => c.fieldId)).toEqual(
      Array.from({ length: 100 }, (_, i) => `field-${i + 1}`),
    );
  });

  it('keeps 1,000 changes in the report, counts the rest, and hands every one to the sink', async () => {
    const sunk: Change[] = [];
    const context = run(false, (changes) => sunk.push(...changes));
    const ids = Array.from({ length: changeCap + 5 }, (_, i) => 1_000 + i);
    await writeChanges(context, memoryTarget(() => undefined).target, [field], changesFor(ids));
    expect(context.changes.items).toHaveLength(changeCap);
    expect(context.changes.omitted).toBe(5);
    expect(sunk.map((c) => c.entryId).sort()).toEqual(ids);
  });

  it('a sink that throws never fails the run', async () => {
    const context = run(false, () => {
      throw new Error('results store down');
    });
    const outcome = await writeChanges(
      context,
      memoryTarget(() => undefined).target,
      [field],
      changesFor([101]),
    );
    expect(outcome.ok).toBe(true);
    expect(context.changes.items).toHaveLength(1);
  });

  it('stops the run when Affinity refuses the key', async () => {
    const { target } = memoryTarget(() => refused(401));
    const outcome = await writeChanges(run(), target, [field], changesFor([101]));
    expect(outcome).toEqual({
      ok: false,
      error:
        'mapping "seam": Affinity refused the API key (401): check AFFINITY_API_KEY (Settings → API in Affinity)',
    });
  });

  it('a dry run writes nothing and lists the changes', async () => {
    const { target, written } = memoryTarget(() => undefined);
    const context = run(true);
    await writeChanges(context, target, [field], changesFor([101]));
    expect(written).toEqual([]);
    expect(context.changes.items).toEqual([
      {
        entryId: 101,
        entityId: 101,
        entityName: 'Company 101',
        fieldId: 'field-1',
        fieldName: 'ARR',
        before: null,
        after: 101,
        sent: 101,
      },
    ]);
    expect(context.tally.entries.updated).toBe(1);
  });

  it('a dry run shows a 10 MB value by its first 200 characters, its length and hash', async () => {
    const notes: MappedField = {
      field: { column: 'notes', fieldId: 'field-2', fieldName: 'Notes', valueType: 'text', onNull: 'skip' },
      target: { fieldId: 'field-2', fieldName: 'Notes', valueType: 'text' },
    };
    const [write] = changesFor([101]);
    const huge = 'n'.repeat(10 * 1024 * 1024);
    write!.changed = [{ update: { id: 'field-2', value: { type: 'text', data: huge } }, field: notes.field }];
    const context = run(true);
    await writeChanges(context, memoryTarget(() => undefined).target, [notes], [write!]);
    const [change] = context.changes.items;
    expect(change?.after).toMatch(/^n{200}… \(\+10485560 chars, sha256 [0-9a-f]{8}\)$/);
    expect(change?.sent).toBe(change?.after);
    expect(JSON.stringify(context.changes.items).length).toBeLessThan(1_000);
  });
});
