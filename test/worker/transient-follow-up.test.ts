import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import type { HistoryEntry, HistoryStore } from '../../src/queue/history-store.js';
import type { SyncMappingPayload } from '../../src/queue/payloads.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { JobContext } from '../../src/worker/job-context.js';
import { runSyncJob } from '../../src/worker/run-sync-job.js';

// Issue 13.6: a worker run left with entries that failed for a transient reason queues one
// follow-up run (trigger retry), which writes only those entries; a follow-up asks for none.

const apiKey = 'sk-follow-up-3e9c';
let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ companies: 6, apiKey, rateLimit: { limit: 100_000, windowSeconds: 60 } });
  dir = await mkdtemp(join(tmpdir(), 'follow-up-'));
  const rows = [1, 2, 3]
    .map((i) => `select ${100_000 + i} as entry_id, ${i * 1_000_003} as arr`)
    .join(' union all ');
  await writeFile(
    join(dir, 'retry.yaml'),
    `name: retry\nsource:\n  type: duckdb\n  query: "${rows}"\nlist: 1001\nmatch:\n  - { column: entry_id, by: listEntryId }\nfields:\n  arr: ARR\n`,
  );
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function job(id: string): Job<unknown> {
  // Only these are read by runSyncJob.
  return {
    id,
    attemptsMade: 0,
    attemptsStarted: 1,
    opts: { attempts: 3 },
    updateProgress: async () => undefined,
  } as unknown as Job<unknown>;
}

describe('the worker follow-up for transient failures', () => {
  it('queues one follow-up that writes only the failed entries; the follow-up queues none', async () => {
    const recorded: HistoryEntry[] = [];
    const requests: SyncMappingPayload[] = [];
    const loaded = await loadMappingFile(join(dir, 'retry.yaml'));
    const context: JobContext = {
      env: readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, TRANSIENT_RETRY_DELAY_MS: '50' }),
      logger: silentLogger,
      mapping: (name) => (name === 'retry' ? { loaded, hash: 'test' } : undefined),
      history: {
        record: async (entry: HistoryEntry) => void recorded.push(entry),
      } as unknown as HistoryStore,
      metrics: new SyncMetrics({ defaultMetrics: false }),
      enqueue: async (payload) => {
        requests.push(payload);
        return { outcome: 'follow-up', jobId: 'retry.next', activeJobId: 'retry.first' };
      },
    };
    const control = { token: undefined, signal: undefined };

    // Every PATCH answers 503 while the first run lasts (reads are served).
    sim.setFaults({ burst: { errorRate: 1, durationMs: 600_000, methods: ['PATCH'] } });
    const first = runSyncJob(job('retry.first'), { mapping: 'retry', trigger: 'schedule' }, context, control);
    await expect(first).rejects.toThrow(UnrecoverableError);
    await expect(first).rejects.toThrow(/^ended partial: 3 entries failed \(3 for a transient reason\)/);
    expect(recorded[0]?.report).toMatchObject({
      status: 'partial',
      entries: { updated: 0, failed: 3 },
      transient: { retried: 3, failed: 3 },
    });
    expect(recorded[0]?.report.problems.map((p) => p.code)).toEqual(Array(3).fill('entry-failed-transient'));
    expect(requests).toEqual([{ mapping: 'retry', trigger: 'retry' }]);
    expect(sim.stats().writesPerEntry).toEqual({});

    // The follow-up, once Affinity answers again: only those entries, and no further follow-up.
    sim.setFaults({});
    const second = await runSyncJob(
      job('retry.next'),
      { mapping: 'retry', trigger: 'retry' },
      context,
      control,
    );
    expect(second).toMatchObject({ status: 'succeeded', warnings: 0, exitCode: 0 });
    expect(recorded[1]?.report).toMatchObject({ entries: { updated: 3, failed: 0 }, calls: { write: 3 } });
    expect(sim.stats().writesPerEntry).toEqual({ 100001: 1, 100002: 1, 100003: 1 });
    expect(requests).toHaveLength(1);
  }, 60_000);
});
