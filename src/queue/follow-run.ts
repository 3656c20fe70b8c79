import { Job, type Queue, type QueueEvents } from 'bullmq';
import { errorMessage } from '../util/error-message.js';
import type { EnqueueResult } from './enqueue-run.js';

/** How a followed run ended. */
export type FollowedRun =
  | { jobId: string; outcome: 'completed'; returnValue: unknown }
  | { jobId: string; outcome: 'failed'; reason: string };

/**
 * Waits for the run that serves an enqueue request to end. For a follow-up it first waits for the
 * active run, then follows the job that BullMQ created from the folded requests (the one the
 * mapping's deduplication key points at). `onJob` says which job is being followed, for progress.
 */
export async function followRun(options: {
  queue: Queue;
  events: QueueEvents;
  mapping: string;
  request: EnqueueResult;
  onJob?: (jobId: string) => void;
}): Promise<FollowedRun> {
  const { queue, events, request } = options;
  let target = request.jobId;
  if (request.outcome === 'follow-up' && request.activeJobId !== undefined) {
    options.onJob?.(request.activeJobId);
    await settle(queue, events, request.activeJobId);
    target = (await queue.getDeduplicationJobId(options.mapping)) ?? request.jobId;
  }
  options.onJob?.(target);
  return settle(queue, events, target);
}

async function settle(queue: Queue, events: QueueEvents, jobId: string): Promise<FollowedRun> {
  const job = await Job.fromId(queue, jobId);
  if (!job) {
    return {
      jobId,
      outcome: 'failed',
      reason: `job ${jobId} is no longer in the queue (finished and removed?)`,
    };
  }
  try {
    return { jobId, outcome: 'completed', returnValue: await job.waitUntilFinished(events) };
  } catch (error) {
    return { jobId, outcome: 'failed', reason: errorMessage(error) };
  }
}
