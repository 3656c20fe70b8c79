import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { untrackedFields } from '../../src/sync/incremental/field-tracking.js';
import { readFeed } from '../../src/sync/incremental/read-feed.js';
import { rereadEntries } from '../../src/sync/incremental/reread.js';

// The client calls incremental sync adds (field-value-changes pages, v1 change tracking, one entry,
// companies with fields) and the thin readers on them, against the simulator.

const fixture: Fixture = {
  companies: Array.from({ length: 3 }, (_, i) => ({ id: i + 1, name: `C${i + 1}`, domain: `c${i + 1}.com` })),
  lists: [
    {
      id: 2001,
      name: 'Deals',
      type: 'company',
      fields: [
        { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number', trackChanges: true },
        { id: 'field-2', name: 'Notes', type: 'list', valueType: 'text' },
        { id: 'field-3', name: 'Region', type: 'global', valueType: 'text', trackChanges: true },
      ],
      entries: [
        { id: 11, entityId: 1, values: { 'field-1': 1, 'field-3': 'EMEA' } },
        { id: 12, entityId: 2, values: {} },
        { id: 13, entityId: 3, values: {} },
      ],
    },
  ],
};

let sim: RunningSimulator;
let client: AffinityClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture });
  client = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('client calls for incremental sync', () => {
  it('reads every page of the feed, filtered, oldest first', async () => {
    for (let i = 0; i < 5; i++) {
      sim.edit({
        listId: 2001,
        listEntryId: 12,
        updates: [{ id: 'field-1', value: { type: 'number', data: i } }],
      });
    }
    sim.edit({
      listId: 2001,
      listEntryId: 13,
      updates: [{ id: 'field-3', value: { type: 'text', data: 'x' } }],
    });
    const pages: number[][] = [];
    for await (const page of client.fieldValueChangePages('field.id=field-1', { limit: 2 })) {
      pages.push(page.map((c) => c.id));
    }
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
    expect(sim.stats().requestsByRoute['GET /v2/field-value-changes']).toBe(3);
  });

  it('readFeed skips the own user, flags others and moves the watermark', async () => {
    const whoami = await client.whoami();
    await client.updateListEntryFields(2001, 11, [{ id: 'field-1', value: { type: 'number', data: 2 } }]);
    sim.edit({
      listId: 2001,
      listEntryId: 12,
      updates: [{ id: 'field-1', value: { type: 'number', data: 3 } }],
    });
    const since = { changedAt: new Date(Date.now() - 60_000).toISOString(), seen: [] };
    const { fold, overflow } = await readFeed(client, {
      fieldIds: ['field-1', 'field-3'],
      watermark: since,
      ownUserId: whoami.user.id,
      limit: 100,
    });
    expect(overflow).toBe(false);
    expect(fold.own).toBe(1);
    expect(fold.foreign).toEqual([{ fieldId: 'field-1', entityId: 2, listEntryId: 12, listId: 2001 }]);
    expect(Date.parse(fold.next().changedAt)).toBeGreaterThan(Date.parse(since.changedAt));
  });

  it('readFeed stops once foreign changes name more entries than the limit', async () => {
    for (const entry of [12, 12, 13]) {
      sim.edit({
        listId: 2001,
        listEntryId: entry,
        updates: [{ id: 'field-1', value: { type: 'number', data: entry } }],
      });
      sim.edit({
        listId: 2001,
        listEntryId: entry,
        updates: [{ id: 'field-1', value: { type: 'number', data: 0 } }],
      });
    }
    const read = (limit: number) =>
      readFeed(client, {
        fieldIds: ['field-1'],
        watermark: { changedAt: '2020-01-01T00:00:00Z', seen: [] },
        ownUserId: 1,
        limit,
      });
    // Six changes, two entries: within a limit of 2, past a limit of 1.
    expect((await read(2)).overflow).toBe(false);
    const { overflow, fold } = await read(1);
    expect(overflow).toBe(true);
    expect(fold.touched.size).toBe(2);
  });

  it('v1 tells which fields track changes (global ones from the account-wide listing)', async () => {
    const fields = [
      { fieldId: 'field-1', kind: 'list' as const },
      { fieldId: 'field-2', kind: 'list' as const },
      { fieldId: 'field-3', kind: 'global' as const },
    ];
    expect(await untrackedFields(client, 2001, fields)).toEqual({ untracked: ['field-2'], calls: 2 });
    sim.setChangeTracking({ listId: 2001, fieldId: 'field-3', enabled: false });
    expect((await untrackedFields(client, 2001, fields.slice(0, 1))).calls).toBe(1);
    expect((await untrackedFields(client, 2001, fields)).untracked).toEqual(['field-2', 'field-3']);
  });

  it('re-reads entries one GET each, or companies 100 a call when every field is global; a gone entry is null', async () => {
    const known = new Map([
      [11, { type: 'company', entityId: 1, domain: 'c1.com', domains: ['c1.com'], values: null }],
      [12, { type: 'company', entityId: 2, domain: 'c2.com', domains: ['c2.com'], values: null }],
    ]);
    const single = await rereadEntries(client, {
      listId: 2001,
      ids: [11, 12, 99],
      fieldIds: ['field-1', 'field-3'],
      batched: false,
      known,
    });
    expect(single.get(11)?.entity.fields.map((f) => [f.id, f.value.data])).toEqual([
      ['field-1', 1],
      ['field-3', 'EMEA'],
    ]);
    expect(single.get(99)).toBeNull();
    const before = sim.stats().totalRequests;
    const batched = await rereadEntries(client, {
      listId: 2001,
      ids: [11, 12],
      fieldIds: ['field-3'],
      batched: true,
      known,
    });
    expect(sim.stats().totalRequests - before).toBe(1);
    expect(batched.get(11)).toMatchObject({
      id: 11,
      entity: { id: 1, fields: [{ id: 'field-3', value: { data: 'EMEA' } }] },
    });
    expect(batched.get(12)?.entity.id).toBe(2);
  });
});
