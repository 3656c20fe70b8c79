import { afterAll, describe, expect, it } from 'vitest';
import { openRedis } from '../../src/queue/redis-connection.js';
import { loadedMappings, type WorkerPresence, WorkerRegistry } from '../../src/queue/worker-registry.js';
import { redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';

const prefix = uniqueName('registry');
const connection = openRedis(redisUrl());
const registry = new WorkerRegistry(connection, prefix);

const presence = (id: string, mappings: Array<[string, string]>): WorkerPresence => ({
  id,
  host: 'test',
  pid: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  publishedAt: '2026-01-01T00:00:00.000Z',
  mappings: mappings.map(([name, hash]) => ({ name, hash, file: `/m/${name}.yaml` })),
  invalid: [],
});

afterAll(async () => {
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

describe('WorkerRegistry', () => {
  it('lists live workers and the union of their mappings; an expired worker leaves the index', async () => {
    await registry.publish(
      presence('a', [
        ['deals', 'aaa'],
        ['portfolio', 'p1'],
      ]),
    );
    await registry.publish(presence('b', [['portfolio', 'p2']]), 150);
    expect((await registry.live()).map((w) => w.id)).toEqual(['a', 'b']);
    const loaded = loadedMappings(await registry.live());
    expect([...loaded.keys()]).toEqual(['deals', 'portfolio']);
    expect(loaded.get('portfolio')?.map((m) => m.hash)).toEqual(['p1', 'p2']);

    await until('b to expire', async () => (await registry.live()).length === 1);
    expect(await connection.smembers(`${prefix}:workers`)).toEqual(['a']);
    await registry.remove('a');
    expect(await registry.live()).toEqual([]);
    expect(await connection.keys(`${prefix}:*`)).toEqual([]);
  });

  it('skips a presence that does not parse instead of failing the command', async () => {
    await connection.set(`${prefix}:worker:garbled`, '{"id": 3');
    await connection.sadd(`${prefix}:workers`, 'garbled');
    await registry.publish(presence('c', [['deals', 'd1']]));
    expect((await registry.live()).map((w) => w.id)).toEqual(['c']);
  });
});
