import type { Job } from 'bullmq';
import type { EnqueueResult } from '../src/queue/enqueue-run.js';
import { parsePayload } from '../src/queue/parse-payload.js';
import { scheduledSyncPayloadSchema } from '../src/queue/payloads.js';
import { scheduledSyncJobName } from '../src/queue/sync-queue.js';
import type { JobContext } from '../src/worker/job-context.js';

/**
 * Job `scheduled-sync`: a mapping's cron fired. It asks for a run the way a backfill does, so a
 * tick during an active run becomes its single follow-up instead of a second concurrent run.
 * Payload: {mapping}.
 */
export const name = scheduledSyncJobName;

export async function handle(job: Job<unknown>, context: JobContext): Promise<EnqueueResult> {
  const payload = parsePayload(scheduledSyncPayloadSchema, job.data, name);
  return context.enqueue({ mapping: payload.mapping, trigger: 'schedule' });
}
