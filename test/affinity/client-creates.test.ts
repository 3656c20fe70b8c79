import { afterEach, describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import { AffinityClient } from '../../src/affinity/client.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { allTypesFixture } from '../simulator/support.js';

// The client's creates against the simulator: never resent after a lost response (the caller
// checks), still resent after a 429 (refused, not processed); the reads that tell.

const running: RunningSimulator[] = [];
async function start(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ fixture: allTypesFixture, ...options });
  running.push(sim);
  const client = new AffinityClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    backoff: { baseMs: 5, maxMs: 20 },
    timeoutMs: 300,
  });
  return { sim, client };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const entriesOf = (sim: RunningSimulator, entityId: number) =>
  (sim.state.lists.get(2001)?.entries ?? []).filter((e) => e.entityId === entityId).length;

async function failure(promise: Promise<unknown>): Promise<AffinityApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AffinityApiError))
    throw new Error(`expected an AffinityApiError, got ${String(error)}`);
  return error;
}

describe('creates', () => {
  it('adds a list entry, creates a company and an option; the v1 read lists the entity’s entries', async () => {
    const { sim, client } = await start();
    const entry = await client.addListEntry(2001, 3);
    expect(entry).toMatchObject({ list_id: 2001, entity_id: 3 });
    const entries = await client.listEntriesOfEntity('company', 3);
    expect(entries.map((e) => e.id)).toEqual([13, entry.id]);
    const org = await client.createOrganization({ name: 'Nimbus', domain: 'nimbus.io' });
    expect(org).toMatchObject({ id: 4, name: 'Nimbus', domain: 'nimbus.io' });
    expect(await client.listEntriesOfEntity('company', org.id)).toEqual([]);
    const option = await client.createDropdownOption(2001, 'field-5', { type: 'dropdown', text: 'Series B' });
    expect(option).toMatchObject({ text: 'Series B' });
    expect((await client.getDropdownOptions(2001, 'field-5')).map((o) => o.text)).toContain('Series B');
    expect(client.calls.retried).toBe(0);
    expect(entriesOf(sim, 3)).toBe(2);
  });

  it('a 5xx after commit is thrown at once (one attempt), though the entry exists', async () => {
    const { sim, client } = await start({ faults: { creates: { errorRate: 1, afterCommit: 1 } } });
    const error = await failure(client.addListEntry(2001, 3));
    expect([500, 503]).toContain(error.status);
    expect(error.message).toContain('not resent: it creates, so it may have taken effect');
    expect(client.calls).toMatchObject({ total: 1, write: 1, retried: 0 });
    expect(entriesOf(sim, 3)).toBe(2);
    // The check tells the caller it happened.
    expect(await client.listEntriesOfEntity('company', 3)).toHaveLength(2);
  });

  it('a dropped connection or a timeout is status 0, one attempt', async () => {
    const { sim, client } = await start({ faults: { creates: { dropRate: 1, afterCommit: 1 } } });
    const dropped = await failure(client.createOrganization({ name: 'Gone', domain: 'gone.io' }));
    expect(dropped.status).toBe(0);
    expect(dropped.message).toMatch(/network error .*; not resent/);
    sim.setFaults({ creates: { timeoutRate: 1, afterCommit: 0 } });
    const timedOut = await failure(client.addListEntry(2001, 1));
    expect(timedOut.status).toBe(0);
    expect(timedOut.message).toContain('no response within 300 ms; not resent');
    expect(client.calls).toMatchObject({ total: 2, retried: 0 });
    expect(entriesOf(sim, 1)).toBe(2);
  });

  it('a 429 is resent: the create was refused, not processed', async () => {
    const { sim, client } = await start({ faults: { storm: { count: 2 } } });
    const entry = await client.addListEntry(2001, 2);
    expect(entry.entity_id).toBe(2);
    expect(client.calls).toMatchObject({ total: 3, rateLimited: 2 });
    expect(entriesOf(sim, 2)).toBe(3);
  });

  it('4xx are thrown as they are', async () => {
    const { client } = await start();
    expect((await failure(client.addListEntry(2001, 999))).status).toBe(404);
    expect(
      (await failure(client.createDropdownOption(2001, 'field-2', { type: 'dropdown', text: 'x' }))).status,
    ).toBe(400);
  });
});
