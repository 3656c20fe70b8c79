import type { Queue } from 'bullmq';
import type { Mapping } from '../mappings/mapping-schema.js';
import type { ScheduledSyncPayload } from './payloads.js';
import { scheduledSyncJobName } from './sync-queue.js';

export interface SchedulerSync {
  /** Mappings whose scheduler was created or updated. */
  registered: string[];
  /** Schedulers removed: their mapping is gone or has no schedule any more. */
  removed: string[];
}

/**
 * Makes the queue's job schedulers match the mappings: one per scheduled mapping (id = mapping
 * name, cron and time zone from the mapping), none for anything else.
 */
export async function syncSchedulers(queue: Queue, mappings: readonly Mapping[]): Promise<SchedulerSync> {
  const registered = await upsertSchedulers(queue, mappings);
  const wanted = new Set(registered);
  const stale = (await queue.getJobSchedulers(0, -1))
    .map((scheduler) => scheduler.id ?? scheduler.key)
    .filter((id) => !wanted.has(id));
  await removeSchedulers(queue, stale);
  return { registered, removed: stale };
}

/** Creates or updates the scheduler of each scheduled mapping; returns their names. */
export async function upsertSchedulers(queue: Queue, mappings: readonly Mapping[]): Promise<string[]> {
  const registered: string[] = [];
  for (const mapping of mappings) {
    if (!mapping.schedule) continue;
    const data: ScheduledSyncPayload = { mapping: mapping.name };
    await queue.upsertJobScheduler(
      mapping.name,
      { pattern: mapping.schedule.cron, tz: mapping.schedule.timezone },
      {
        name: scheduledSyncJobName,
        data,
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
    registered.push(mapping.name);
  }
  return registered;
}

/** Removes the schedulers of these mappings (absent ones are fine). */
export async function removeSchedulers(queue: Queue, names: readonly string[]): Promise<void> {
  for (const name of names) await queue.removeJobScheduler(name);
}
