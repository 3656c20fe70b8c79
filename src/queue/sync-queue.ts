import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Env } from '../config/env.js';

/** The one BullMQ queue every sync job goes through; its keys live under QUEUE_PREFIX. */
export const syncQueueName = 'sync';

/** A run of one mapping (the job that calls the engine). */
export const syncMappingJobName = 'sync-mapping';

/** What a mapping's job scheduler emits at each cron tick: it asks for a run like a backfill does. */
export const scheduledSyncJobName = 'scheduled-sync';

/** The sync queue on `connection`, with keys under `env.QUEUE_PREFIX`. */
export function openSyncQueue(env: Pick<Env, 'QUEUE_PREFIX'>, connection: Redis): Queue {
  const queue = new Queue(syncQueueName, { connection, prefix: env.QUEUE_PREFIX });
  // Failures reach callers as rejected calls; unheard, the event would print raw ioredis dumps.
  queue.on('error', () => undefined);
  return queue;
}
