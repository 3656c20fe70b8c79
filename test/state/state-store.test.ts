import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { RedisStateStore } from '../../src/state/redis-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { isolatedRedis } from '../support/services.js';

const entrySchema = z.object({ entryId: z.number(), values: z.record(z.string(), z.unknown()) });

const redis = await isolatedRedis('state');
afterAll(() => redis.cleanup());

const stores: Array<[string, () => StateStore]> = [
  ['memory', () => new MemoryStateStore()],
  ['redis', () => new RedisStateStore({ redis: redis.redis, keyPrefix: redis.prefix })],
];

describe.each(stores)('%s state store', (_kind, makeStore) => {
  it('keeps what was set, forgets what was deleted, and reads back 2,500 entries in batches', async () => {
    const store = makeStore();
    const map = store.map(`entries-${_kind}`, entrySchema);
    const entries = Array.from({ length: 2500 }, (_, i): [string, z.infer<typeof entrySchema>] => [
      `k${i}`,
      { entryId: i, values: { 'field-1': i % 7 } },
    ]);
    await map.setMany(entries);
    expect(await map.size()).toBe(2500);
    const some = await map.getMany(['k0', 'k1999', 'absent']);
    expect([...some.keys()]).toEqual(['k0', 'k1999']);
    expect(some.get('k1999')).toEqual({ entryId: 1999, values: { 'field-1': 1999 % 7 } });
    await map.deleteMany(['k0', 'k1']);
    const all = new Map<string, unknown>();
    for await (const [key, value] of map.entries()) all.set(key, value);
    expect(all.size).toBe(2498);
    expect(all.has('k0')).toBe(false);
    await map.clear();
    expect(await map.size()).toBe(0);
    await store.close();
  });

  it('treats a stored value that no longer matches its schema as missing', async () => {
    const store = makeStore();
    await store.map(`shape-${_kind}`, z.unknown()).setMany([['a', { entryId: 'not a number' }]]);
    const strict = store.map(`shape-${_kind}`, entrySchema);
    expect((await strict.getMany(['a'])).size).toBe(0);
    await strict.clear();
    await store.close();
  });
});

describe('redis state store', () => {
  it('is shared between two stores on the same Redis and prefix, and durable', async () => {
    const a = new RedisStateStore({ redis: redis.redis, keyPrefix: redis.prefix });
    const b = new RedisStateStore({ redis: redis.redis, keyPrefix: redis.prefix });
    expect(a.durable).toBe(true);
    await a.map('shared', z.number()).setMany([['acme.com', 42]]);
    expect((await b.map('shared', z.number()).getMany(['acme.com'])).get('acme.com')).toBe(42);
    expect(new MemoryStateStore().durable).toBe(false);
  });
});
