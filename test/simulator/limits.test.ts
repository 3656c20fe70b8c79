import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { until } from '../support/until.js';
import { api } from './support.js';

// Rate window, monthly quota, concurrency cap, stats and control endpoints over real HTTP.

const running: RunningSimulator[] = [];
async function start(options: SimulatorOptions): Promise<RunningSimulator> {
  const sim = await startSimulator({ companies: 5, ...options });
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const limitBody = (limit: number, windowSeconds: number) => ({
  errors: [
    {
      code: 'rate-limit',
      message: `Rate limit exceeded: ${limit} requests per ${windowSeconds} seconds per API key`,
    },
  ],
});

describe('per-key window', () => {
  it('answers 429 past the limit, with remaining 0, and admits again after the window resets', async () => {
    const sim = await start({ rateLimit: { limit: 3, windowSeconds: 1 } });
    const { get } = api(sim);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get('/v2/lists');
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-limit-user-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await get('/v2/lists');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual(limitBody(3, 1));
    expect(Number(refused.headers.get('x-ratelimit-limit-user-reset'))).toBeLessThanOrEqual(1);
    // Poll (with a deadline) until the window rolls over.
    const status = await until(
      'a request that is no longer refused',
      async () => {
        const answered = (await get('/v2/lists')).status;
        return answered === 429 ? undefined : answered;
      },
      3000,
    );
    expect(status).toBe(200);
    const stats = sim.stats();
    expect(stats.maxInWindow).toBe(3);
    expect(stats.rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('lowers the limit on demand (setRateLimit and POST /_simulator/rate-limit)', async () => {
    const sim = await start({});
    const { get } = api(sim);
    sim.setRateLimit({ limit: 1 });
    expect((await get('/v2/lists')).status).toBe(200);
    expect((await get('/v2/lists')).status).toBe(429);
    const res = await fetch(`${sim.url}/_simulator/rate-limit`, {
      method: 'POST',
      body: JSON.stringify({ limit: 5, windowSeconds: 60 }),
    });
    expect(res.status).toBe(200);
    const ok = await get('/v2/lists');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit-user')).toBe('5');
  });
});

describe('monthly org quota', () => {
  it('counts down the org headers and answers 429 when exhausted', async () => {
    const sim = await start({ orgQuota: { limit: 1000, remaining: 2, resetSeconds: 3600 } });
    const { get } = api(sim);
    const first = await get('/v2/lists');
    expect(first.headers.get('x-ratelimit-limit-org')).toBe('1000');
    expect(first.headers.get('x-ratelimit-limit-org-remaining')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-limit-org-reset'))).toBeGreaterThan(3590);
    expect((await get('/v2/lists')).status).toBe(200);
    const refused = await get('/v2/lists');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      errors: [{ code: 'rate-limit', message: 'Monthly request quota of this account is exhausted' }],
    });
    expect(Number(refused.headers.get('x-ratelimit-limit-user-remaining'))).toBeGreaterThan(0);
  });
});

describe('concurrency cap', () => {
  it('answers 429 while the user window still has room when too many requests are in flight', async () => {
    const sim = await start({ maxConcurrent: 2, faults: { latencyMs: 400 } });
    const { get } = api(sim);
    const responses = await Promise.all(Array.from({ length: 5 }, () => get('/v2/lists')));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const refused = responses.find((r) => r.status === 429);
    expect(Number(refused?.headers.get('x-ratelimit-limit-user-remaining'))).toBeGreaterThan(0);
    expect(await refused?.json()).toEqual({
      errors: [{ code: 'rate-limit', message: 'Too many concurrent requests: at most 2 may be in flight' }],
    });
    expect(sim.stats().maxInFlight).toBeGreaterThanOrEqual(3);
  });
});

describe('stats and control endpoints', () => {
  it('counts requests by route and status; control requests are not counted', async () => {
    const sim = await start({});
    const { get, update } = api(sim);
    await get('/v2/lists');
    await get('/v2/lists/1001/list-entries?limit=2');
    await get('/v2/lists/5');
    const ok = await update(100001, [{ id: 'field-101', value: { type: 'number', data: 5 } }], 1001);
    expect(ok.status).toBe(200);
    await update(100001, [{ id: 'field-101', value: { type: 'number', data: 'x' } }], 1001);
    const res = await fetch(`${sim.url}/_simulator/stats`);
    const stats = await res.json();
    expect(stats).toEqual({
      totalRequests: 5,
      requestsByRoute: {
        'GET /v2/lists': 1,
        'GET /v2/lists/{listId}/list-entries': 1,
        'GET /v2/lists/{listId}': 1,
        'PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields': 2,
      },
      responsesByStatus: { '200': 3, '404': 1, '400': 1 },
      writesPerEntry: { '100001': 1 },
      fieldWrites: 1,
      rateLimited: 0,
      maxInWindow: 5,
      maxInFlight: 1,
      dropped: 0,
      createFaults: { beforeCommit: 0, afterCommit: 0 },
      patches: [
        {
          listId: 1001,
          listEntryId: 100001,
          body: {
            operation: 'update-fields',
            updates: [{ id: 'field-101', value: { type: 'number', data: 5 } }],
          },
        },
      ],
      entityPatches: [],
    });
    expect(res.headers.get('x-ratelimit-limit-user')).toBeNull();
  });

  it('dumps state in fixture format and resets data and stats', async () => {
    const sim = await start({});
    const { update } = api(sim);
    await update(100001, [{ id: 'field-103', value: { type: 'text', data: 'changed' } }], 1001);
    const dump = (await (await fetch(`${sim.url}/_simulator/state`)).json()) as {
      lists: { entries: { id: number; values: Record<string, unknown> }[] }[];
    };
    expect(dump.lists[0]?.entries.find((e) => e.id === 100001)?.values['field-103']).toBe('changed');
    const reset = await fetch(`${sim.url}/_simulator/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(sim.stats().totalRequests).toBe(0);
    const entry = sim.state.lists.get(1001)?.entryById.get(100001);
    expect(entry?.values.get('field-103')).not.toBe('changed');
  });

  it('refuses bad control bodies with a clear message', async () => {
    const sim = await start({});
    const res = await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toBe('faults: ✖ Too big: expected number to be <=1\n  → at errorRate');
  });
});
