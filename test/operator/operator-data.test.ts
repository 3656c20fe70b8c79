import { afterAll, describe, expect, it } from 'vitest';
import { type OperatorSources, operatorData } from '../../src/http/operator-page/operator-data.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { WorkerRegistry } from '../../src/queue/worker-registry.js';
import { withPort } from '../results/support.js';
import { closedPort } from '../support/free-port.js';
import { databaseUrl, redisUrl, uniqueName } from '../support/services.js';
import { historyEntry, sampleReport } from './fixtures.js';

// What the operator page gathers without a results store (the Redis history and its sample of
// changes), with Redis out of reach, and with a results store that refuses: real Redis.

const prefix = uniqueName('opdata');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const history = new HistoryStore(connection, prefix, 100);
const changes = Array.from({ length: 120 }, (_, i) => ({
  entryId: 20_000 + i,
  entityId: i,
  fieldId: 'field-101',
  fieldName: 'ARR',
  before: i,
  after: i + 1,
  sent: i + 1,
}));

function sources(overrides: Partial<OperatorSources> = {}): OperatorSources {
  return {
    workerId: 'test-worker',
    queue,
    history,
    registry: new WorkerRegistry(connection, prefix),
    loaded: () => ({
      mappings: [{ name: 'portfolio-arr', hash: '3f1c9a0b7d2e', file: '/m/portfolio-arr.yaml' }],
      invalid: [
        { file: '/m/broken.yaml', problems: ['/m/broken.yaml:1:1 name: expected a name'] },
        {
          file: '/m/portfolio-arr.yaml',
          problems: ['/m/portfolio-arr.yaml:4:3 list: expected a number'],
          running: { name: 'portfolio-arr', hash: '3f1c9a0b7d2e' },
        },
      ],
    }),
    mapping: () => ({ list: 1001, mode: 'diff' }),
    redisUp: () => true,
    ...overrides,
  };
}

afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

describe('operator data without a results store', () => {
  it('lists the worker’s mappings with their state and the runs of the Redis history', async () => {
    await history.record(historyEntry(sampleReport({ changes, changesOmitted: 0 })));
    const view = await operatorData(sources()).overview();
    expect(view.source).toBe('redis-history');
    expect(view.notes).toEqual([]);
    expect(view.unloadable).toEqual([
      { file: '/m/broken.yaml', problems: ['/m/broken.yaml:1:1 name: expected a name'] },
    ]);
    const [mapping] = view.mappings;
    expect(mapping).toMatchObject({
      name: 'portfolio-arr',
      hash: '3f1c9a0b7d2e',
      facts: [
        { label: 'Writes to', value: 'list 1001' },
        { label: 'Mode', value: 'diff' },
      ],
      invalid: ['/m/portfolio-arr.yaml:4:3 list: expected a number'],
      running: [],
      queued: [],
    });
    expect(mapping?.runs.map((r) => [r.runId, r.status, r.changes, r.problems, r.trigger])).toEqual([
      ['portfolio-arr.abc.1', 'partial', 120, 2, 'schedule'],
    ]);
  });

  it('pages through the sample of changes the history keeps, and says the run had more', async () => {
    const data = operatorData(sources());
    const first = await data.run('portfolio-arr', 'portfolio-arr.abc.1', { changes: 0, problems: 0 }, 30);
    expect(first?.source).toBe('redis-history');
    expect(first?.changes.page.total).toBe(50);
    expect(first?.changes.page.items.map((c) => c.listEntryId)).toEqual(
      changes.slice(0, 30).map((c) => c.entryId),
    );
    expect(first?.changes.omission).toEqual({ kept: 50, total: 120 });
    expect(first?.problems.page.items.map((p) => p.code)).toEqual(['rejected-value', 'unmatched']);
    const second = await data.run('portfolio-arr', 'portfolio-arr.abc.1', { changes: 30, problems: 0 }, 30);
    expect(second?.changes.page.items.map((c) => c.listEntryId)).toEqual(
      changes.slice(30, 50).map((c) => c.entryId),
    );
    expect(await data.run('portfolio-arr', 'no-such-run', { changes: 0, problems: 0 }, 30)).toBeUndefined();
  });

  it('with Redis out of reach: the mappings as loaded, a note, no wait', async () => {
    const data = operatorData(sources({ redisUp: () => false }));
    const view = await data.overview();
    expect(view.notes).toEqual([
      'Redis is out of reach: next runs, jobs and the run history are not shown, and no run can be queued now.',
    ]);
    expect(view.mappings.map((m) => [m.name, m.runs.length])).toEqual([['portfolio-arr', 0]]);
    expect(
      await data.run('portfolio-arr', 'portfolio-arr.abc.1', { changes: 0, problems: 0 }, 30),
    ).toBeUndefined();
  });
});

describe('operator data with a results store', () => {
  it('that refuses: a note naming it (no password), the runs from the Redis history', async () => {
    const url = new URL(withPort(databaseUrl(), await closedPort()));
    url.password = 'pw-operator-secret';
    url.username = 'reader';
    const data = operatorData(sources({ results: { url: url.toString(), schema: 'affinity_sync' } }));
    const view = await data.overview();
    expect(view.notes).toHaveLength(1);
    expect(view.notes[0]).toMatch(
      /^results store postgres(ql)?:\/\/127\.0\.0\.1:\d+\/\w+ \(schema affinity_sync\): connect ECONNREFUSED .*Shown instead: what the Redis run history holds\.$/,
    );
    expect(view.notes[0]).not.toContain('pw-operator-secret');
    expect(view.mappings[0]?.runs).toHaveLength(1);
    const run = await data.run('portfolio-arr', 'portfolio-arr.abc.1', { changes: 0, problems: 0 }, 30);
    expect(run?.source).toBe('redis-history');
  });

  it('that has no record of the run (no tables yet): the Redis history’s, saying so', async () => {
    const schema = uniqueName('opdata_none').toLowerCase();
    const data = operatorData(sources({ results: { url: databaseUrl(), schema } }));
    expect((await data.overview()).notes).toEqual([]);
    const run = await data.run('portfolio-arr', 'portfolio-arr.abc.1', { changes: 0, problems: 0 }, 30);
    expect(run?.source).toBe('redis-history');
    expect(run?.notes).toEqual([
      'The results store has no record of this run: its changes and problems below are what the Redis run history keeps.',
    ]);
  });
});
