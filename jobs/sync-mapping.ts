import type { Job } from 'bullmq';
import { parsePayload } from '../src/queue/parse-payload.js';
import { syncMappingPayloadSchema } from '../src/queue/payloads.js';
import { syncMappingJobName } from '../src/queue/sync-queue.js';
import type { JobContext, JobControl } from '../src/worker/job-context.js';
import { runSyncJob, type SyncJobResult } from '../src/worker/run-sync-job.js';

/** Job `sync-mapping`: one run of one mapping. Payload: {mapping, mode?, trigger}. */
export const name = syncMappingJobName;

export async function handle(
  job: Job<unknown>,
  context: JobContext,
  control: JobControl,
): Promise<SyncJobResult> {
  const payload = parsePayload(syncMappingPayloadSchema, job.data, name);
  return runSyncJob(job, payload, context, control);
}
