import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../../src/affinity/client.js';
import type { FieldUpdate } from '../../../src/affinity/field-value.js';
import { silentLogger } from '../../../src/log/logger.js';
import { type Mapping, mappingSchema } from '../../../src/mappings/mapping-schema.js';
import type { Fixture } from '../../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../../src/simulator/server.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import {
  type CurrentValuesInput,
  readCurrentValues,
} from '../../../src/sync/incremental/incremental-read.js';
import { IncrementalState } from '../../../src/sync/incremental/incremental-state.js';
import { SurvivingStore } from './killable-store.js';

// The "read current values" strategies without the rest of the engine: live scan, reconcile,
// incremental from state + feed, and the state kept around writes.

const fixture: Fixture = {
  companies: [1, 2, 3].map((id) => ({ id, name: `C${id}`, domain: `c${id}.com` })),
  lists: [
    {
      id: 3001,
      name: 'Deals',
      type: 'company',
      fields: [
        { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number', trackChanges: true },
        { id: 'field-2', name: 'Notes', type: 'list', valueType: 'text', trackChanges: true },
      ],
      entries: [
        { id: 11, entityId: 1, values: { 'field-1': 10 } },
        { id: 12, entityId: 2, values: { 'field-1': 20 } },
        { id: 13, entityId: 3, values: {} },
      ],
    },
  ],
};

const mapping = (sync: 'live' | 'incremental'): Mapping =>
  mappingSchema.parse({
    name: 'deals',
    source: { type: 'duckdb', query: 'select 1' },
    list: 3001,
    match: [{ column: 'id', by: 'entityId' }],
    fields: { arr: 'field-1', notes: 'field-2' },
    sync,
  });

const fields = [
  { fieldId: 'field-1', valueType: 'number' as const, kind: 'list' as const },
  { fieldId: 'field-2', valueType: 'text' as const, kind: 'list' as const },
];

let sim: RunningSimulator;
let store: SurvivingStore;

beforeAll(async () => {
  sim = await startSimulator({ fixture });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  store = new SurvivingStore();
});

function read(overrides: Partial<CurrentValuesInput> = {}) {
  const client = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });
  const view = store.view();
  return {
    client,
    view,
    result: readCurrentValues({
      client,
      state: new IncrementalState(view, 'deals'),
      mapping: mapping('incremental'),
      listId: 3001,
      fields,
      mode: 'diff',
      full: false,
      dryRun: false,
      scan: () => client.listEntryPages(3001, { fieldIds: ['field-1', 'field-2'] }),
      log: silentLogger,
      checkpoint: () => false,
      ...overrides,
    }),
  };
}

async function firstReconcile() {
  const { result } = read();
  const values = await result;
  await values.session.finish(true);
  return values;
}

const arrOf = (index: Awaited<ReturnType<typeof firstReconcile>>['index'], id: number) =>
  index.byListEntryId(id)?.values.get('field-1')?.data;

describe('readCurrentValues', () => {
  it('sync: live scans and keeps nothing, costing what a live run costs', async () => {
    const { result, client } = read({ mapping: mapping('live') });
    const { index, info } = await result;
    expect(index.size).toBe(3);
    expect(info).toMatchObject({ kind: 'live', reason: 'mapping-live', readCalls: 1, callsSaved: 0 });
    expect(client.calls.total).toBe(1);
  });

  it('without a durable store an incremental mapping reads like live', async () => {
    const client = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });
    const values = await readCurrentValues({
      client,
      state: new IncrementalState(new MemoryStateStore(), 'deals'),
      mapping: mapping('incremental'),
      listId: 3001,
      fields,
      mode: 'diff',
      full: false,
      dryRun: false,
      scan: () => client.listEntryPages(3001, { fieldIds: ['field-1', 'field-2'] }),
      log: silentLogger,
      checkpoint: () => false,
    });
    expect(values.info).toMatchObject({ kind: 'live', reason: 'no-durable-state' });
    expect(values.info.detail).toContain('REDIS_URL is not set');
  });

  it('the first run reconciles; the next reads state and an empty feed (whoami, v1 fields, one feed page)', async () => {
    const first = await firstReconcile();
    expect(first.info).toMatchObject({ kind: 'reconcile', reason: 'first-run' });
    const { result, client } = read();
    const second = await result;
    expect(second.info).toMatchObject({
      kind: 'incremental',
      entriesFlagged: 0,
      entriesReread: 0,
      feedPages: 1,
    });
    expect(client.calls.total).toBe(3);
    expect(second.info).toMatchObject({ readCalls: 3, liveScanCalls: 1, callsSaved: -2 });
    expect(arrOf(second.index, 12)).toBe(20);
  });

  it('an edit by someone else is flagged and re-read; the re-read value is kept', async () => {
    await firstReconcile();
    sim.edit({
      listId: 3001,
      listEntryId: 12,
      updates: [{ id: 'field-1', value: { type: 'number', data: 21 } }],
    });
    const second = await read().result;
    expect(second.info).toMatchObject({ kind: 'incremental', entriesFlagged: 1, entriesReread: 1 });
    expect(second.readThisRun).toEqual(new Set([12]));
    expect(arrOf(second.index, 12)).toBe(21);
    await second.session.finish(true);
    // The watermark moved past the edit: the next run flags nothing.
    const third = await read().result;
    expect(third.info).toMatchObject({ entriesFlagged: 0, entriesReread: 0 });
    expect(arrOf(third.index, 12)).toBe(21);
  });

  it('a run that does not finish leaves the watermark: the edit is flagged again', async () => {
    await firstReconcile();
    sim.edit({
      listId: 3001,
      listEntryId: 12,
      updates: [{ id: 'field-1', value: { type: 'number', data: 21 } }],
    });
    await (await read().result).session.finish(false);
    expect((await read().result).info).toMatchObject({ entriesFlagged: 1 });
  });

  it("the sync's own writes are kept as written and not flagged by the feed", async () => {
    await firstReconcile();
    const { result, client } = read();
    const values = await result;
    const updates: FieldUpdate[] = [{ id: 'field-1', value: { type: 'number', data: 99 } }];
    const target = values.session.tracking(
      { writeRecord: (id: number, u: FieldUpdate[]) => client.updateListEntryFields(3001, id, u) },
      new Map([[11, updates]]),
    );
    await target.writeRecord(11, updates);
    await values.session.finish(true);
    const next = await read().result;
    expect(next.info).toMatchObject({ entriesFlagged: 0, entriesReread: 0, ownChangesSkipped: 1 });
    expect(arrOf(next.index, 11)).toBe(99);
  });

  it('a write that fails (or a run killed while it is in flight) leaves the entry unknown: it is re-read', async () => {
    await firstReconcile();
    const values = await read().result;
    const updates: FieldUpdate[] = [{ id: 'field-1', value: { type: 'number', data: 5 } }];
    const failing = values.session.tracking(
      {
        writeRecord: async (_id: number, _updates: FieldUpdate[]) => {
          throw new Error('connection reset');
        },
      },
      new Map([[13, updates]]),
    );
    await expect(failing.writeRecord(13, updates)).rejects.toThrow('connection reset');
    await values.session.finish(true);
    const next = await read().result;
    expect(next.info).toMatchObject({ entriesReread: 1 });
    expect(next.readThisRun).toEqual(new Set([13]));
  });

  it('a dry run changes no state', async () => {
    await firstReconcile();
    const names = ['incremental:deals:entries', 'incremental:deals:meta'];
    const before = await store.snapshot(names);
    sim.edit({
      listId: 3001,
      listEntryId: 12,
      updates: [{ id: 'field-1', value: { type: 'number', data: 21 } }],
    });
    const values = await read({ dryRun: true }).result;
    await values.session.finish(true);
    expect(await store.snapshot(names)).toEqual(before);
    // A dry reconcile (--full) does not forget the meta either.
    await (await read({ dryRun: true, full: true }).result).session.finish(true);
    expect(await store.snapshot(names)).toEqual(before);
  });

  it('tracking turned off reconciles; turned back on, one more reconcile before incremental', async () => {
    await firstReconcile();
    sim.setChangeTracking({ listId: 3001, fieldId: 'field-2', enabled: false });
    const off = await read().result;
    expect(off.info).toMatchObject({ kind: 'reconcile', reason: 'untracked-fields' });
    await off.session.finish(true);
    sim.setChangeTracking({ listId: 3001, fieldId: 'field-2', enabled: true });
    const back = await read().result;
    expect(back.info).toMatchObject({ kind: 'reconcile', reason: 'tracking-was-off' });
    await back.session.finish(true);
    expect((await read().result).info.kind).toBe('incremental');
  });

  it('a reconcile killed before it finished is followed by another', async () => {
    await firstReconcile();
    await (await read({ full: true }).result).session.finish(false);
    expect((await read().result).info).toMatchObject({ kind: 'reconcile', reason: 'first-run' });
  });

  it('scans instead when the entries to re-read cost more than a scan', async () => {
    await firstReconcile();
    for (const id of [11, 12]) {
      sim.edit({
        listId: 3001,
        listEntryId: id,
        updates: [{ id: 'field-2', value: { type: 'text', data: 'x' } }],
      });
    }
    const values = await read().result;
    expect(values.info).toMatchObject({ kind: 'reconcile', reason: 'cheaper-to-scan', entriesFlagged: 2 });
    expect(values.index.byListEntryId(11)?.values.get('field-2')?.data).toBe('x');
  });

  it('an entry added to the list with a tracked value is found through the feed', async () => {
    await firstReconcile();
    const list = sim.state.lists.get(3001);
    const added = { id: 14, listId: 3001, entityId: 3, createdAt: '2026-01-01T00:00:00Z', values: new Map() };
    list?.entries.push(added);
    list?.entryById.set(14, added);
    sim.edit({
      listId: 3001,
      listEntryId: 14,
      updates: [{ id: 'field-1', value: { type: 'number', data: 7 } }],
    });
    const values = await read().result;
    expect(
      values.index
        .byEntityId(3)
        .map((e) => e.listEntryId)
        .sort(),
    ).toEqual([13, 14]);
  });
});
