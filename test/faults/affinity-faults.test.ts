import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import {
  capturedLogger,
  entryIdOf,
  type PortfolioWorkspace,
  portfolioFixture,
  portfolioWorkspace,
  wrongEntries,
} from './support.js';

// Affinity misbehaving under a run: seeded 500/503s and dropped connections, then a 429 storm.
// Every change must land exactly once per entry, nothing else may be written, the report must
// count what happened.

const apiKey = 'sk-faults-affinity-3b9e71';
const n = 200;
// A window far above what the run needs: pacing must not slow the suite, only faults may.
const rateLimit = { limit: 100_000, windowSeconds: 60 };

describe('a run against a faulty Affinity', () => {
  let workspace: PortfolioWorkspace | undefined;
  let sim: RunningSimulator | undefined;
  const dir = () => workspace?.dir ?? '';

  beforeAll(async () => {
    workspace = await portfolioWorkspace({
      prefix: 'faults_api',
      n,
      mapping: 'faults-portfolio',
      query: 'select * from portfolio order by company_id',
    });
  });

  afterAll(async () => {
    await sim?.close();
    await workspace?.close();
  });

  async function run(
    simulator: RunningSimulator,
    onPhase?: (phase: string) => void,
  ): Promise<{ report: RunReport; lines: string[] }> {
    const { logger, lines } = capturedLogger();
    const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: simulator.url });
    const loaded = await loadMappingFile(join(dir(), 'portfolio.yaml'));
    const report = await executeRun({
      loaded,
      env,
      logger,
      ...(onPhase ? { onProgress: (p) => onPhase(p.phase) } : {}),
    });
    return { report, lines };
  }

  function expectEveryEntryWrittenOnce(simulator: RunningSimulator): void {
    const perEntry = simulator.stats().writesPerEntry;
    const expected = Object.fromEntries(Array.from({ length: n }, (_, k) => [String(entryIdOf(k + 1)), 1]));
    expect(perEntry).toEqual(expected);
    expect(wrongEntries(simulator, n)).toEqual([]);
  }

  it('lands every change through 503s, 500s and dropped connections, counting the retries', async () => {
    sim = await startSimulator({
      apiKey,
      fixture: portfolioFixture(n),
      rateLimit,
      seed: 9,
      // 10% answered 500/503 (about 5% each) and 2% of connections dropped, on reads and writes.
      faults: { errorRate: 0.1, dropRate: 0.02 },
    });
    const { report, lines } = await run(sim);

    const stats = sim.stats();
    expect(stats.responsesByStatus['503']).toBeGreaterThan(0);
    expect(stats.responsesByStatus['500']).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(report.status).toBe('succeeded');
    expect(report.error).toBeUndefined();
    expect(report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
    expect(report.fields).toEqual({ written: 4 * n, unchanged: 0, rejected: 0 });
    expect(report.problems).toEqual([]);
    // Every failed attempt was retried, and the report says so.
    const failedAttempts =
      stats.dropped + (stats.responsesByStatus['500'] ?? 0) + (stats.responsesByStatus['503'] ?? 0);
    expect(report.calls.retried).toBe(failedAttempts);
    expect(report.calls.total).toBe(stats.totalRequests);
    // Each entry got exactly one successful PATCH, with the right values; no other entry was touched.
    expectEveryEntryWrittenOnce(sim);
    expect(
      report.calls.write -
        (stats.requestsByRoute['PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields'] ?? 0),
    ).toBe(0);
    expect(lines.some((line) => line.includes('Affinity request failed; retrying'))).toBe(true);

    // A second run finds nothing to change: what landed is exactly what the warehouse holds.
    sim.setFaults({});
    const before = sim.stats().patches.length;
    const again = await run(sim);
    expect(again.report.entries).toEqual({ updated: 0, unchanged: n, failed: 0 });
    expect(sim.stats().patches.length).toBe(before);
    await sim.close();
    sim = undefined;
  });

  it('waits out a 429 storm that starts with the writes, then completes', async () => {
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n), rateLimit });
    const simulator = sim;
    let stormed = false;
    const { report, lines } = await run(simulator, (phase) => {
      if (phase === 'writing' && !stormed) {
        stormed = true;
        // The next eight requests — every PATCH of the first round in flight — are answered 429.
        simulator.setFaults({ storm: { count: 8 } });
      }
    });

    expect(stormed).toBe(true);
    expect(simulator.stats().rateLimited).toBe(8);
    expect(report.calls.rateLimited).toBe(8);
    expect(report.calls.retried).toBe(8);
    // One burst backs off once (~0.5–1 s), not as eight 429s in a row (15–30 s).
    expect(report.durationMs).toBeLessThan(10_000);
    expect(report.status).toBe('succeeded');
    expect(report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
    expectEveryEntryWrittenOnce(simulator);
    // The limiter paused for the storm rather than hammering through it.
    expect(report.limiterWaitMs).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('"status":429'))).toBe(true);
    await sim.close();
    sim = undefined;
  });
});
