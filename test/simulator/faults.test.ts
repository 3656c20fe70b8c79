import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { until } from '../support/until.js';
import { api } from './support.js';

// Seeded faults over real HTTP: 500/503, dropped connections, latency, 429 storms.

const running: RunningSimulator[] = [];
async function start(options: SimulatorOptions): Promise<RunningSimulator> {
  const sim = await startSimulator({ companies: 5, ...options });
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function statuses(sim: RunningSimulator, n: number): Promise<number[]> {
  const { get } = api(sim);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get('/v2/lists')).status);
  return out;
}

function readArr(sim: RunningSimulator): unknown {
  const entry = sim.state.lists.get(1001)?.entryById.get(100001);
  return entry?.values.get('field-101') ?? null;
}

describe('faults', () => {
  it('answers a seeded fraction with 500/503 and repeats the same outcomes for the same seed', async () => {
    const a = await start({ seed: 42, faults: { errorRate: 0.4 } });
    const first = await statuses(a, 30);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(0);
    a.reset();
    expect(await statuses(a, 30)).toEqual(first);
    const b = await start({ seed: 42, faults: { errorRate: 0.4 } });
    expect(await statuses(b, 30)).toEqual(first);
    const c = await start({ seed: 43, faults: { errorRate: 0.4 } });
    expect(await statuses(c, 30)).not.toEqual(first);
    const { get } = api(a);
    a.setFaults({ errorRate: 1 });
    const failed = await get('/v2/lists');
    expect(await failed.json()).toEqual({
      errors: [
        {
          code: 'server',
          message: `${failed.status === 503 ? 'Service temporarily unavailable' : 'Internal server error'} (simulated)`,
        },
      ],
    });
  });

  it('does not apply a PATCH answered 500/503', async () => {
    const sim = await start({ faults: { errorRate: 1 } });
    const before = readArr(sim);
    const res = await api(sim).update(
      100001,
      [{ id: 'field-101', value: { type: 'number', data: 123456789 } }],
      1001,
    );
    expect([500, 503]).toContain(res.status);
    expect(readArr(sim)).toEqual(before);
    expect(sim.stats().fieldWrites).toBe(0);
  });

  it('drops connections without a response, so fetch rejects, and the dropped PATCH is not applied', async () => {
    const sim = await start({ faults: { dropRate: 1 } });
    const { get, update } = api(sim);
    await expect(get('/v2/lists')).rejects.toThrow('fetch failed');
    const before = readArr(sim);
    await expect(
      update(100001, [{ id: 'field-101', value: { type: 'number', data: 1 } }], 1001),
    ).rejects.toThrow('fetch failed');
    expect(readArr(sim)).toEqual(before);
    expect(sim.stats().dropped).toBe(2);
    sim.setFaults({});
    expect((await get('/v2/lists')).status).toBe(200);
  });

  it('adds latency: a request misses a deadline shorter than the delay and meets a longer one', async () => {
    const sim = await start({ faults: { latencyMs: 300 } });
    const { get } = api(sim);
    await expect(get('/v2/lists', { signal: AbortSignal.timeout(100) })).rejects.toThrow(/aborted|timeout/i);
    const started = performance.now();
    const res = await get('/v2/lists', { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    // Control routes are never delayed or faulted.
    const control = performance.now();
    await fetch(`${sim.url}/_simulator/stats`);
    expect(performance.now() - control).toBeLessThan(250);
  });

  it('sends a storm of 429s by count, then serves again', async () => {
    const sim = await start({});
    sim.setFaults({ storm: { count: 3 } });
    expect(await statuses(sim, 5)).toEqual([429, 429, 429, 200, 200]);
    expect(sim.stats().rateLimited).toBe(3);
  });

  it('sends a storm of 429s for a duration, set through POST /_simulator/faults', async () => {
    const sim = await start({});
    const res = await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ storm: { durationMs: 300 } }),
    });
    expect(res.status).toBe(200);
    const { get } = api(sim);
    const refused = await get('/v2/lists');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      errors: [{ code: 'rate-limit', message: 'Rate limit exceeded (simulated 429 storm)' }],
    });
    const status = await until(
      'a request that is no longer refused',
      async () => {
        const answered = (await get('/v2/lists')).status;
        return answered === 429 ? undefined : answered;
      },
      3000,
    );
    expect(status).toBe(200);
  });
});
