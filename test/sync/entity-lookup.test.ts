import { afterAll, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { RedisStateStore } from '../../src/state/redis-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { entityKey } from '../../src/sync/entity-keys.js';
import { EntityLookup } from '../../src/sync/entity-lookup.js';
import { entityFixture } from '../support/entity-fixture.js';
import { isolatedRedis } from '../support/services.js';

// Domain → company id and e-mail → person id against the simulator, cached in a state store.

const fixture = {
  ...entityFixture,
  companies: [
    ...(entityFixture.companies ?? []),
    { id: 4, name: 'Shared One', domain: 'shared.com', domains: ['shared.com'] },
    { id: 5, name: 'Shared Two', domain: 'shared.com', domains: ['shared.com', 'two.com'] },
  ],
};
const sim: RunningSimulator = await startSimulator({ fixture, apiKey: 'sk-lookup-SECRET-4411' });
const redis = await isolatedRedis('lookup');
afterAll(async () => {
  await sim.close();
  await redis.cleanup();
});

const client = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });
const stores: Array<[string, () => StateStore]> = [
  ['memory', () => new MemoryStateStore()],
  ['redis', () => new RedisStateStore({ redis: redis.redis, keyPrefix: `${redis.prefix}${Math.random()}:` })],
];
const hour = 3600 * 1000;

function searchCalls(): number {
  const routes = sim.stats().requestsByRoute;
  return (
    (routes['POST /v2/companies/search'] ?? 0) +
    (routes['POST /v2/persons/search'] ?? 0) +
    (routes['GET /organizations'] ?? 0) +
    (routes['GET /persons'] ?? 0)
  );
}

describe.each(stores)('entity lookup with the %s state store', (_name, makeStore) => {
  it('resolves each first-seen domain once, exactly, and answers again from the cache', async () => {
    sim.reset();
    const state = makeStore();
    let now = 1_000_000;
    const lookup = new EntityLookup({ client, state, apiKey: sim.apiKey, now: () => now });
    const keys = ['acme.com', 'globex.com', 'acme.io', 'nowhere.example', 'shared.com', 'acme.com'];
    const first = await lookup.resolve('company', keys);
    expect(Object.fromEntries(first)).toEqual({
      'acme.com': { kind: 'found', id: 1, cached: false },
      'globex.com': { kind: 'found', id: 3, cached: false },
      // acme.io is Acme's second domain: v2 search misses it, v1 finds it.
      'acme.io': { kind: 'found', id: 1, cached: false },
      'nowhere.example': { kind: 'missing' },
      'shared.com': { kind: 'ambiguous', ids: [4, 5] },
    });
    // "acme" in the search for acme.com also finds Acme Robotics: only an exact domain counts.
    expect(lookup.searches).toBe(7);
    expect(searchCalls()).toBe(7);

    const again = new EntityLookup({ client, state, apiKey: sim.apiKey, now: () => now });
    const second = await again.resolve('company', keys);
    expect(second.get('acme.com')).toEqual({ kind: 'found', id: 1, cached: true });
    expect(second.get('nowhere.example')).toEqual({ kind: 'missing' });
    expect(again.searches).toBe(0);

    // Misses and ambiguities are searched again after 12 hours; found ids are kept.
    now += 13 * hour;
    const later = await again.resolve('company', keys);
    expect(later.get('acme.com')).toEqual({ kind: 'found', id: 1, cached: true });
    expect(again.searches).toBe(3);
    expect(searchCalls()).toBe(10);
    await state.close();
  });

  it('forgets an id that is gone, remembers one learned otherwise, and keeps accounts apart', async () => {
    sim.reset();
    const state = makeStore();
    const lookup = new EntityLookup({ client, state, apiKey: sim.apiKey });
    await lookup.resolve('company', ['acme.com', 'globex.com']);
    await lookup.forget('company', ['acme.com']);
    await lookup.remember('company', [['created.example', 77]]);
    const next = await lookup.resolve('company', ['acme.com', 'globex.com', 'created.example']);
    expect(next.get('acme.com')).toEqual({ kind: 'found', id: 1, cached: false });
    expect(next.get('created.example')).toEqual({ kind: 'found', id: 77, cached: true });
    expect(lookup.searches).toBe(3);
    const other = new EntityLookup({ client, state, apiKey: 'another-account-key' });
    await other.resolve('company', ['globex.com']);
    expect(other.searches).toBe(1);
    await state.close();
  });

  it('resolves e-mail addresses to persons by any of their addresses, case-insensitively', async () => {
    sim.reset();
    const state = makeStore();
    const lookup = new EntityLookup({ client, state, apiKey: sim.apiKey });
    const keys = ['  Jane@ACME.com ', 'jane.doe@gmail.com', 'nobody@example.com'].map(
      (k) => entityKey('person', k)!,
    );
    expect(keys[0]).toBe('jane@acme.com');
    const found = await lookup.resolve('person', keys);
    expect(Object.fromEntries(found)).toEqual({
      'jane@acme.com': { kind: 'found', id: 11, cached: false },
      'jane.doe@gmail.com': { kind: 'found', id: 11, cached: false },
      'nobody@example.com': { kind: 'missing' },
    });
    await state.close();
  });
});

describe('entity lookup failures and storage', () => {
  it('stops on a refused key, keeping what it learned; a failed search is not cached', async () => {
    sim.reset();
    const state = new MemoryStateStore();
    const refused = new AffinityClient({ apiKey: 'sk-wrong', baseUrl: sim.url, maxRetries: 0 });
    const lookup = new EntityLookup({ client: refused, state, apiKey: 'sk-wrong' });
    await expect(lookup.resolve('company', ['acme.com'])).rejects.toThrow(/401/);

    sim.setFaults({ errorRate: 1 });
    const flaky = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url, maxRetries: 0 });
    const failing = new EntityLookup({ client: flaky, state, apiKey: sim.apiKey });
    const result = await failing.resolve('company', ['acme.com']);
    expect(result.get('acme.com')).toMatchObject({ kind: 'failed' });
    sim.setFaults({});
    const retry = await failing.resolve('company', ['acme.com']);
    expect(retry.get('acme.com')).toEqual({ kind: 'found', id: 1, cached: false });
  });

  it('keys Redis by a hash of the API key, never the key itself', async () => {
    const prefix = `${redis.prefix}hash:`;
    const state = new RedisStateStore({ redis: redis.redis, keyPrefix: prefix });
    await new EntityLookup({ client, state, apiKey: sim.apiKey }).resolve('company', ['acme.com']);
    const keys = await redis.redis.keys(`${prefix}*`);
    expect(keys).toEqual([expect.stringMatching(/^.*state:lookup:[0-9a-f]{16}:company-domain$/)]);
    const everything = JSON.stringify([keys, await redis.redis.hgetall(keys[0]!)]);
    expect(everything).not.toContain(sim.apiKey);
    expect(everything).not.toContain('SECRET');
  });
});
