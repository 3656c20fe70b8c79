import { afterAll, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import { createSettingsOf } from '../../src/mappings/create-settings.js';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { Row } from '../../src/sources/source.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { CreateBudget } from '../../src/sync/create-budget.js';
import { createMissing } from '../../src/sync/create-missing.js';
import { createOptions } from '../../src/sync/create-options.js';
import { EntityLookup } from '../../src/sync/entity-lookup.js';
import type { MatchRule } from '../../src/sync/match-row.js';
import { OptionCreations } from '../../src/sync/option-creations.js';
import { type HeldRow, keysToResolve, planCreations } from '../../src/sync/plan-creations.js';

// The create steps against the simulator, without the engine: entries and companies placed once
// each through lost answers, options made once, nothing made in a dry run.

const fixture = (): Fixture => ({
  companies: Array.from({ length: 20 }, (_, i) => ({
    id: i + 1,
    name: `Company ${i + 1}`,
    domain: `c${i + 1}.com`,
    domains: [`c${i + 1}.com`],
  })),
  lists: [
    {
      id: 1001,
      name: 'Deals',
      type: 'company',
      fields: [
        {
          id: 'field-2',
          name: 'Stage',
          type: 'list',
          valueType: 'dropdown',
          dropdownOptions: [{ id: 11, text: 'Seed' }],
        },
      ],
      entries: [
        { id: 101, entityId: 1 },
        { id: 102, entityId: 2 },
      ],
    },
  ],
});

let sim: RunningSimulator = await startSimulator({ fixture: fixture(), seed: 3 });
afterAll(() => sim.close());

const rules: MatchRule[] = [
  { column: 'id', by: 'entityId' },
  { column: 'domain', by: 'domain' },
];
const settings = createSettingsOf({
  onUnmatched: 'add',
  onUnknownCompany: 'create',
  companyName: 'name',
  match: rules,
  fields: {},
});

function held(rows: Row[]): HeldRow[] {
  return rows.map((row, i) => ({
    row,
    rowNumber: i + 1,
    problem: { code: 'unmatched' as const, row: i + 1, reason: 'unmatched' },
  }));
}

function client(timeoutMs = 2000) {
  return new AffinityClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    timeoutMs,
    backoff: { baseMs: 1, maxMs: 5 },
  });
}

async function place(
  rows: Row[],
  options: { dryRun?: boolean; max?: number; timeoutMs?: number; checkDelayMs?: number } = {},
) {
  const c = client(options.timeoutMs);
  const lookup = new EntityLookup({ client: c, state: new MemoryStateStore(), apiKey: sim.apiKey });
  const heldRows = held(rows);
  const onList = new Set(sim.state.lists.get(1001)!.entries.map((e) => e.entityId));
  const resolved = {
    company: await lookup.resolve('company', keysToResolve(heldRows, rules).company),
    person: new Map(),
  };
  const plan = planCreations(heldRows, {
    settings,
    rules,
    resolved,
    onList: (id) => onList.has(id),
    budget: new CreateBudget(options.max ?? 100),
  });
  const result = await createMissing({
    client: c,
    lookup,
    list: { id: 1001, type: 'company' },
    groups: plan.groups,
    entriesOf: (id) =>
      sim.state.lists
        .get(1001)!
        .entries.filter((e) => e.entityId === id)
        .map((e) => ({ listEntryId: e.id, entityId: e.entityId, values: new Map() })),
    dryRun: options.dryRun ?? false,
    check: { checkDelayMs: options.checkDelayMs ?? 0 },
  });
  return { plan, result, calls: c.calls };
}

const entriesPerEntity = () => {
  const counts = new Map<number, number>();
  for (const e of sim.state.lists.get(1001)!.entries)
    counts.set(e.entityId, (counts.get(e.entityId) ?? 0) + 1);
  return counts;
};
const companiesWith = (domain: string) =>
  [...sim.state.companies.values()].filter((c) => c.domain === domain);

describe('createMissing against the simulator', () => {
  it('adds existing entities once, creates an unknown company and adds it; rows naming one entity share it', async () => {
    sim.reset();
    const { plan, result } = await place([
      { id: 3 },
      { id: null, domain: 'c4.com' },
      { id: 3, domain: 'elsewhere.com' },
      { id: null, domain: 'https://www.NEW-co.io/about', name: 'New Co' },
      { id: null, domain: 'new-co.io', name: 'New Co again' },
      { id: null, domain: 'c1.com' },
    ]);
    expect(plan.groups.map((g) => [g.kind, g.key, g.rows.map((r) => r.rowNumber)])).toEqual([
      ['add', 'id=3', [1, 3]],
      ['add', 'domain=c4.com', [2]],
      ['create-company', 'domain=new-co.io', [4, 5]],
      // c1.com is company 1, on the list under the same domain the scan shows: written where it is.
      ['on-list', 'domain=c1.com', [6]],
    ]);
    expect(result.failed).toEqual([]);
    expect(result.fatal).toBeUndefined();
    const created = companiesWith('new-co.io');
    expect(created).toHaveLength(1);
    expect(created[0]!.name).toBe('New Co');
    const counts = entriesPerEntity();
    expect([counts.get(3), counts.get(4), counts.get(created[0]!.id), counts.get(1)]).toEqual([1, 1, 1, 1]);
    expect(result.creations.map((c) => [c.kind, c.via, c.row])).toEqual([
      ['list-entry', 'response', 1],
      ['list-entry', 'response', 2],
      ['company', 'response', 4],
      ['list-entry', 'response', 4],
    ]);
    expect(result.placed.map((p) => p.entries.map((e) => e.entityId))).toEqual([
      [1],
      [3],
      [4],
      [created[0]!.id],
    ]);
  });

  it('a dry run creates nothing and lists every creation', async () => {
    sim.reset();
    const before = sim.stats().requestsByRoute;
    const { result } = await place([{ id: 3 }, { domain: 'new.io', name: 'New' }], { dryRun: true });
    expect(result.creations).toEqual([
      { kind: 'list-entry', row: 1, key: 'id=3', listId: 1001, entityId: 3 },
      { kind: 'company', row: 2, key: 'domain=new.io', name: 'New', domain: 'new.io' },
      { kind: 'list-entry', row: 2, key: 'domain=new.io', listId: 1001, name: 'New' },
    ]);
    const routes = sim.stats().requestsByRoute;
    expect(routes['POST /lists/{list_id}/list-entries'] ?? 0).toBe(
      before['POST /lists/{list_id}/list-entries'] ?? 0,
    );
    expect(routes['POST /organizations']).toBeUndefined();
    expect(entriesPerEntity().get(3)).toBeUndefined();
  });

  it('maxCreates: the first groups in row order are created, the rest left', async () => {
    sim.reset();
    const { plan } = await place(
      [{ id: 5 }, { id: 6 }, { id: 5 }, { id: 7 }, { domain: 'z.io', name: 'Z' }],
      { max: 2 },
    );
    expect(plan.groups.map((g) => g.key)).toEqual(['id=5', 'id=6']);
    expect(plan.left.map((g) => g.key)).toEqual(['id=7', 'domain=z.io']);
    expect([...entriesPerEntity().keys()].sort((a, b) => a - b)).toEqual([1, 2, 5, 6]);
  });

  it('with 30% of creates failing (half after commit), 20 rounds place everything once: no duplicate entry or company', async () => {
    const started = performance.now();
    let lostAfterCommit = 0;
    for (let round = 0; round < 20; round++) {
      // A fresh simulator per round: its seed makes each round's faults strike elsewhere.
      await sim.close();
      sim = await startSimulator({
        fixture: fixture(),
        seed: 100 + round,
        faults: {
          creates: { errorRate: 0.1, dropRate: 0.1, timeoutRate: 0.1, afterCommit: 0.5, holdMs: 2000 },
        },
      });
      const rows: Row[] = [
        ...Array.from({ length: 8 }, (_, i) => ({ id: i + 3 })),
        ...Array.from({ length: 4 }, (_, i) => ({ domain: `new${i}.io`, name: `New ${i}` })),
      ];
      // Each run adds what the runs before left; a few runs always finish the job.
      for (let run = 0; run < 4; run++) {
        const { result } = await place(rows, { timeoutMs: 150, checkDelayMs: 25 });
        expect(result.fatal).toBeUndefined();
        if (result.failed.length === 0) break;
      }
      const counts = entriesPerEntity();
      for (let id = 3; id <= 10; id++) expect(counts.get(id), `entity ${id}, round ${round}`).toBe(1);
      for (let i = 0; i < 4; i++) {
        const made = companiesWith(`new${i}.io`);
        expect(made, `new${i}.io, round ${round}`).toHaveLength(1);
        expect(counts.get(made[0]!.id)).toBe(1);
      }
      lostAfterCommit += sim.stats().createFaults.afterCommit;
    }
    expect(lostAfterCommit).toBeGreaterThan(20);
    expect(performance.now() - started).toBeLessThan(60_000);
    await sim.close();
    sim = await startSimulator({ fixture: fixture(), seed: 3 });
  });
});

describe('createOptions against the simulator', () => {
  it('makes each new text once, through a lost answer; over maxCreates the values are rejected', async () => {
    sim.reset();
    sim.setFaults({ creates: { errorRate: 1, afterCommit: 1 } });
    const options = new OptionCreations();
    const a = options.provisional('field-2', 'Series C') as number;
    options.provisional('field-2', 'series c ');
    const b = options.provisional('field-2', 'Growth') as number;
    const result = await createOptions({
      client: client(),
      listId: 1001,
      options,
      fieldNames: new Map([['field-2', 'Stage']]),
      budget: new CreateBudget(1),
      dryRun: false,
      check: { checkDelayMs: 0 },
    });
    expect(result.creations).toEqual([
      {
        kind: 'dropdown-option',
        fieldId: 'field-2',
        fieldName: 'Stage',
        text: 'Series C',
        id: 12,
        via: 'check',
      },
    ]);
    expect(result.overLimit).toBe(1);
    const field = sim.state.lists.get(1001)!.fieldById.get('field-2')!;
    expect(field.dropdownOptions.map((o) => o.text)).toEqual(['Seed', 'Series C']);
    expect(options.realize({ type: 'dropdown', data: { dropdownOptionId: a } })).toEqual({
      ok: true,
      update: { type: 'dropdown', data: { dropdownOptionId: 12 } },
    });
    expect(options.realize({ type: 'dropdown', data: { dropdownOptionId: b } })).toEqual({
      ok: false,
      reason: 'option "Growth" was not created: maxCreates (1) was reached in this run',
    });
  });
});
