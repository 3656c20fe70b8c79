import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { SyncMappingPayload } from './payloads.js';
import { syncMappingJobName } from './sync-queue.js';

/** Retry policy of run jobs. */
export interface RetryPolicy {
  /** Attempts before the job ends failed. @defaultValue 3 (JOB_ATTEMPTS) */
  attempts: number;
  /** First retry delay, ms; doubles each attempt. @defaultValue 60000 (JOB_BACKOFF_MS) */
  backoffMs: number;
}

/**
 * What became of a request:
 * - `queued`: a new run job, nothing of that mapping was waiting;
 * - `folded`: a run of that mapping was already waiting; the request joined it;
 * - `follow-up`: a run was active; one follow-up run starts when it ends (later requests fold into it).
 */
export type EnqueueOutcome = 'queued' | 'folded' | 'follow-up';

export interface EnqueueResult {
  outcome: EnqueueOutcome;
  /** The id of the job that will serve the request (for `follow-up`, the id it gets when created). */
  jobId: string;
  /** For `follow-up`: the active run the follow-up waits for. */
  activeJobId?: string;
}

/**
 * Asks for a run of one mapping. Every run job of a mapping shares the deduplication id (the
 * mapping name) with `keepLastIfActive`: BullMQ then keeps at most one active and one waiting job
 * per mapping across every worker, and folds further requests into the waiting one — which is
 * what keeps one mapping from ever running twice at once.
 */
export async function enqueueRun(
  queue: Queue,
  payload: SyncMappingPayload,
  retry: RetryPolicy,
): Promise<EnqueueResult> {
  // Job ids may not contain ":" nor be integers; the mapping name keeps the dashboard readable.
  const jobId = `${payload.mapping}.${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const job = await queue.add(syncMappingJobName, payload, {
    jobId,
    deduplication: { id: payload.mapping, keepLastIfActive: true },
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  });
  if (job.id === jobId) return { outcome: 'queued', jobId };
  const existing = job.id ?? '';
  const state = await queue.getJobState(existing);
  // Active (or finished between the add and this check): the request was stored as the follow-up.
  if (state === 'active' || state === 'completed' || state === 'failed' || state === 'unknown') {
    return { outcome: 'follow-up', jobId, activeJobId: existing };
  }
  return { outcome: 'folded', jobId: existing };
}
