import { Job, type Queue } from 'bullmq';
import { scrub } from '../log/secrets.js';
import { errorMessage } from '../util/error-message.js';
import { type JobWatchState, watchJob } from './job-watch.js';
import type { WorkerRegistry } from './worker-registry.js';

/** How often `backfill --wait` looks at its job and the fleet, ms. */
export const followPollMs = 1000;
/** How long it waits without any live worker (or without Redis) before it gives up, ms. */
export const noWorkerGraceMs = 10_000;

/**
 * Polls the followed job and the live workers (watchJob decides): `onNotice` gets each line to tell
 * the person waiting; `gaveUp` resolves with the reason to stop waiting. `stop()` ends the polling.
 */
export function watchFollowedJob(options: {
  queue: Queue;
  registry: WorkerRegistry;
  /** The job being followed now (it changes when a follow-up starts). */
  jobId: () => string | undefined;
  onNotice: (line: string) => void;
  /** Where Redis is, for the message when it is lost (REDIS_URL=…, password hidden). */
  redisLocation: string;
  graceMs?: number;
  pollMs?: number;
}): { gaveUp: Promise<string>; stop: () => void } {
  const graceMs = options.graceMs ?? noWorkerGraceMs;
  let state: JobWatchState = {};
  let failingSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let giveUp: (reason: string) => void = () => undefined;
  const gaveUp = new Promise<string>((resolve) => {
    giveUp = resolve;
  });
  const poll = async () => {
    const jobId = options.jobId();
    if (jobId === undefined) return;
    try {
      const [job, workers] = await Promise.all([Job.fromId(options.queue, jobId), options.registry.live()]);
      const jobState = job ? await job.getState() : 'unknown';
      failingSince = undefined;
      const step = watchJob(
        state,
        {
          now: Date.now(),
          jobId,
          state: jobState,
          ...(job?.processedBy ? { processedBy: job.processedBy } : {}),
          attemptsStarted: job?.attemptsStarted ?? 0,
          liveWorkers: new Set(workers.map((w) => w.id)),
        },
        graceMs,
      );
      state = step.state;
      for (const line of step.notices) options.onNotice(line);
      if (step.giveUp) giveUp(step.giveUp);
    } catch (error) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince >= graceMs) {
        const reason = scrub(errorMessage(error));
        giveUp(
          `lost Redis at ${options.redisLocation} while waiting for job ${jobId} (${reason}); check that Redis is running`,
        );
      }
    }
  };
  const loop = async () => {
    await poll();
    if (!stopped) timer = setTimeout(() => void loop(), options.pollMs ?? followPollMs);
  };
  void loop();
  return {
    gaveUp,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
