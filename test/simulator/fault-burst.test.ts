import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { until } from '../support/until.js';
import { api } from './support.js';

// A time-boxed burst of 5xx (the transient-retry tests' fault): a share of requests fails while it lasts, none after.

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('a burst of errors', () => {
  it('answers about the burst share with 503 while it lasts, set through POST /_simulator/faults, then none', async () => {
    sim = await startSimulator({ companies: 5, seed: 7 });
    const set = await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ burst: { errorRate: 0.3, durationMs: 1500 } }),
    });
    expect(set.status).toBe(200);
    const burstEnds = Date.now() + 1500;
    const { get } = api(sim);
    const during: number[] = [];
    for (let i = 0; i < 40 && Date.now() < burstEnds - 200; i++) during.push((await get('/v2/lists')).status);
    expect(during.length).toBeGreaterThanOrEqual(20);
    const failed = during.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(during.length * 0.7);
    expect(during.every((s) => s === 200 || s === 503)).toBe(true);
    await until('the burst to end', () => Date.now() > burstEnds);
    const after: number[] = [];
    for (let i = 0; i < 30; i++) after.push((await get('/v2/lists')).status);
    expect(after.every((s) => s === 200)).toBe(true);
  });

  it('a burst limited to some methods leaves the others alone', async () => {
    sim = await startSimulator({ companies: 5, seed: 5 });
    sim.setFaults({ burst: { errorRate: 1, durationMs: 60_000, methods: ['PATCH'] } });
    const { get } = api(sim);
    const reads: number[] = [];
    for (let i = 0; i < 10; i++) reads.push((await get('/v2/lists')).status);
    expect(reads.every((s) => s === 200)).toBe(true);
    const patch = await fetch(`${sim.url}/v2/lists/1001/list-entries/100001/fields`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'update-fields',
        updates: [{ id: 'field-101', value: { type: 'number', data: 1 } }],
      }),
    });
    expect(patch.status).toBe(503);
  });

  it('a 500 burst, and the same seeded outcomes for the same settings', async () => {
    sim = await startSimulator({ companies: 5, seed: 9 });
    const { get } = api(sim);
    const run = async () => {
      sim!.setFaults({ burst: { errorRate: 0.5, durationMs: 60_000, status: 500 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await get('/v2/lists')).status);
      return out;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).not.toContain(503);
    expect(await run()).toEqual(first);
  });
});
