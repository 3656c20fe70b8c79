import type { Queue } from 'bullmq';
import type { HistoryEntry, HistoryStore } from './history-store.js';
import { syncMappingJobName } from './sync-queue.js';
import type { WorkerPresence } from './worker-registry.js';

/** What `status` shows of one mapping. */
export interface MappingStatus {
  mapping: string;
  schedule?: { cron: string; timezone: string; next?: string };
  /** Ids of run jobs now running. */
  running: string[];
  /** Ids of run jobs waiting (or delayed for a retry). */
  queued: string[];
  /** Newest first. */
  runs: HistoryEntry[];
  /** Versions (content hashes) the live workers run, and how many workers have it loaded. */
  loaded?: { versions: string[]; workers: number };
  /** Problems of its file as it is now, when a worker keeps running its last valid version. */
  invalid?: string[];
}

/**
 * Gathers the status of `names` (default: every mapping with a schedule or a recorded run): its
 * schedule and next time, run jobs running or queued, and its newest `limit` runs.
 */
export async function readStatus(
  queue: Queue,
  history: HistoryStore,
  options: { names?: string[]; limit: number; workers?: readonly WorkerPresence[] },
): Promise<MappingStatus[]> {
  const schedulers = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.id ?? s.key, s]));
  const names = options.names ?? [...new Set([...(await history.mappings()), ...schedulers.keys()])].sort();
  const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
  const runJobs = await Promise.all(
    jobs
      .filter((job) => job.name === syncMappingJobName)
      .map(async (job) => ({ job, state: await job.getState() })),
  );
  return Promise.all(
    names.map(async (mapping): Promise<MappingStatus> => {
      const scheduler = schedulers.get(mapping);
      const own = runJobs.filter(
        ({ job }) => (job.data as { mapping?: unknown } | undefined)?.mapping === mapping,
      );
      return {
        mapping,
        ...(scheduler?.pattern
          ? {
              schedule: {
                cron: scheduler.pattern,
                timezone: scheduler.tz ?? 'UTC',
                ...(scheduler.next ? { next: new Date(scheduler.next).toISOString() } : {}),
              },
            }
          : {}),
        running: own.filter((j) => j.state === 'active').map((j) => j.job.id ?? ''),
        queued: own.filter((j) => j.state !== 'active').map((j) => j.job.id ?? ''),
        runs: await history.recent(mapping, options.limit),
        ...(options.workers ? fleetView(options.workers, mapping) : {}),
      };
    }),
  );
}

function fleetView(
  workers: readonly WorkerPresence[],
  mapping: string,
): Pick<MappingStatus, 'loaded' | 'invalid'> {
  const having = workers.filter((w) => w.mappings.some((m) => m.name === mapping));
  const versions = [
    ...new Set(having.flatMap((w) => w.mappings.filter((m) => m.name === mapping).map((m) => m.hash))),
  ];
  const invalid = [
    ...new Set(
      workers.flatMap((w) => w.invalid.filter((f) => f.running?.name === mapping).flatMap((f) => f.problems)),
    ),
  ];
  return {
    ...(having.length > 0 ? { loaded: { versions, workers: having.length } } : {}),
    ...(invalid.length > 0 ? { invalid } : {}),
  };
}
