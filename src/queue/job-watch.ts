/** What `backfill --wait` sees of its job and the fleet at one poll. */
export interface JobObservation {
  now: number;
  jobId: string;
  /** BullMQ state: active, waiting, delayed, prioritized, completed, failed, unknown… */
  state: string;
  /** The worker running (or that last ran) the job. */
  processedBy?: string;
  /** Times a worker took the job (a retake after a crash counts). */
  attemptsStarted: number;
  /** Ids of the workers alive now. */
  liveWorkers: ReadonlySet<string>;
}

/** What the watch remembers between polls. */
export interface JobWatchState {
  jobId?: string;
  /** The worker last seen running the job, and how often the job had been taken then. */
  runner?: string;
  attempts?: number;
  /** Said that the runner stopped reporting (its retake is yet to be seen). */
  lostWorker?: string;
  /** Said that the job is back in the queue since the loss. */
  saidRequeued?: boolean;
  /** Since when no worker at all is alive. */
  noWorkerSince?: number;
}

export interface JobWatchStep {
  state: JobWatchState;
  /** Lines to tell the person waiting. */
  notices: string[];
  /** Set: stop waiting (exit 1) with this reason. */
  giveUp?: string;
}

/**
 * One poll of `backfill --wait` (pure): says when the worker running the job disappears and whether
 * the job was retaken, and gives up after `graceMs` without any live worker — nobody waits forever.
 */
export function watchJob(previous: JobWatchState, seen: JobObservation, graceMs: number): JobWatchStep {
  const state: JobWatchState = previous.jobId === seen.jobId ? { ...previous } : { jobId: seen.jobId };
  const notices = seen.state === 'active' ? whileActive(state, seen) : whileNotActive(state, seen);
  if (seen.liveWorkers.size > 0) {
    delete state.noWorkerSince;
    return { state, notices };
  }
  state.noWorkerSince ??= seen.now;
  if (seen.now - state.noWorkerSince < graceMs) return { state, notices };
  return {
    state,
    notices,
    giveUp: `no worker is running (none has reported for ${Math.round(graceMs / 1000)} s); job ${seen.jobId} stays queued and runs when a worker starts`,
  };
}

function whileActive(state: JobWatchState, seen: JobObservation): string[] {
  const job = `job ${seen.jobId}`;
  const runner = seen.processedBy;
  const notices: string[] = [];
  const retaken =
    state.runner !== undefined &&
    (runner !== state.runner || seen.attemptsStarted > (state.attempts ?? seen.attemptsStarted));
  if (retaken) {
    notices.push(
      state.lostWorker === undefined
        ? `worker ${state.runner} running ${job} stopped; the job was retaken by worker ${runner ?? '?'}`
        : `${job} was retaken by worker ${runner ?? '?'}`,
    );
    delete state.lostWorker;
    delete state.saidRequeued;
  } else if (state.lostWorker === undefined && runner !== undefined && !seen.liveWorkers.has(runner)) {
    state.lostWorker = runner;
    notices.push(
      `worker ${runner} running ${job} stopped reporting; another worker retakes the job once its lock expires (WORKER_LOCK_DURATION_MS)`,
    );
  }
  if (runner !== undefined) state.runner = runner;
  state.attempts = seen.attemptsStarted;
  return notices;
}

function whileNotActive(state: JobWatchState, seen: JobObservation): string[] {
  const waiting = seen.state === 'waiting' || seen.state === 'prioritized';
  if (!waiting || state.lostWorker === undefined || state.saidRequeued) return [];
  state.saidRequeued = true;
  return [`job ${seen.jobId} is back in the queue, waiting for a worker`];
}
