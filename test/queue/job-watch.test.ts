import { describe, expect, it } from 'vitest';
import { type JobObservation, type JobWatchState, watchJob } from '../../src/queue/job-watch.js';

const grace = 10_000;
const seen = (over: Partial<JobObservation>): JobObservation => ({
  now: 0,
  jobId: 'held.1',
  state: 'active',
  processedBy: 'w1',
  attemptsStarted: 1,
  liveWorkers: new Set(['w1', 'w2']),
  ...over,
});

/** Feeds observations in order; returns every notice and the last step. */
function run(observations: JobObservation[]) {
  let state: JobWatchState = {};
  const notices: string[] = [];
  let giveUp: string | undefined;
  for (const o of observations) {
    const step = watchJob(state, o, grace);
    state = step.state;
    notices.push(...step.notices);
    giveUp = step.giveUp;
  }
  return { notices, giveUp, state };
}

describe('watchJob (backfill --wait)', () => {
  it('says nothing while the job runs on a live worker', () => {
    expect(run([seen({}), seen({ now: 1000 }), seen({ state: 'completed', now: 2000 })])).toMatchObject({
      notices: [],
      giveUp: undefined,
    });
  });

  it('says once when the running worker stops reporting, then the retake and by whom', () => {
    const { notices } = run([
      seen({}),
      seen({ now: 1000, liveWorkers: new Set(['w2']) }),
      seen({ now: 2000, liveWorkers: new Set(['w2']) }),
      seen({ now: 3000, state: 'waiting', liveWorkers: new Set(['w2']) }),
      seen({ now: 4000, state: 'waiting', liveWorkers: new Set(['w2']) }),
      seen({ now: 5000, processedBy: 'w2', attemptsStarted: 2, liveWorkers: new Set(['w2']) }),
    ]);
    expect(notices).toEqual([
      'worker w1 running job held.1 stopped reporting; another worker retakes the job once its lock expires (WORKER_LOCK_DURATION_MS)',
      'job held.1 is back in the queue, waiting for a worker',
      'job held.1 was retaken by worker w2',
    ]);
  });

  it('tells a retake it did not see coming (the lock expired before the presence did)', () => {
    expect(run([seen({}), seen({ now: 1000, processedBy: 'w2', attemptsStarted: 2 })]).notices).toEqual([
      'worker w1 running job held.1 stopped; the job was retaken by worker w2',
    ]);
    // The same worker taking it again (restarted with the same id is impossible; a new attempt counts).
    expect(run([seen({}), seen({ now: 1000, attemptsStarted: 2 })]).notices).toEqual([
      'worker w1 running job held.1 stopped; the job was retaken by worker w1',
    ]);
  });

  it('gives up after the grace without any live worker, not before', () => {
    const none = new Set<string>();
    const early = run([
      seen({}),
      seen({ now: 1000, liveWorkers: none }),
      seen({ now: 10_999, liveWorkers: none }),
    ]);
    expect(early.giveUp).toBeUndefined();
    const late = run([
      seen({ liveWorkers: none, state: 'waiting' }),
      seen({ now: grace, liveWorkers: none, state: 'waiting' }),
    ]);
    expect(late.giveUp).toBe(
      'no worker is running (none has reported for 10 s); job held.1 stays queued and runs when a worker starts',
    );
    // A worker coming back resets the clock.
    const back = run([
      seen({ liveWorkers: none }),
      seen({ now: 9000, liveWorkers: new Set(['w3']) }),
      seen({ now: 15_000, liveWorkers: none }),
    ]);
    expect(back.giveUp).toBeUndefined();
  });

  it('starts afresh when it follows another job (the follow-up)', () => {
    const { state } = run([seen({ liveWorkers: new Set(['w2']) })]);
    expect(state.lostWorker).toBe('w1');
    const next = watchJob(state, seen({ jobId: 'held.2', processedBy: 'w2', now: 1000 }), grace);
    expect(next).toEqual({ state: { jobId: 'held.2', runner: 'w2', attempts: 1 }, notices: [] });
  });
});
