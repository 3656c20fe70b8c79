import type { Queue } from 'bullmq';
import type { HistoryEntry, HistoryStore } from './history-store.js';
import { syncMappingJobName } from './sync-queue.js';

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
}

/**
 * Gathers the status of `names` (default: every mapping with a schedule or a recorded run): its
 * schedule and next time, run jobs running or queued, and its newest `limit` runs.
 */
export async function readStatus(
  queue: Queue,
  history: HistoryStore,
  options: { names?: string[]; limit: number },
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
      };
    }),
  );
}
