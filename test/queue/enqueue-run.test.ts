import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue, syncQueueName } from '../../src/queue/sync-queue.js';
import { redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';

const prefix = uniqueName('enqueue');
const retry = { attempts: 1, backoffMs: 10 };
const connection = openRedis(redisUrl(), { forWorker: true });
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);

/** A worker whose jobs run until released, recording every job it starts. */
function blockingWorker() {
  const started: Job[] = [];
  const releases = new Map<string, () => void>();
  const workerConnection = openRedis(redisUrl(), { forWorker: true });
  const worker = new Worker(
    syncQueueName,
    async (job: Job) => {
      started.push(job);
      await new Promise<void>((resolve) => releases.set(job.id ?? '', resolve));
      return { done: job.id };
    },
    { connection: workerConnection, prefix, concurrency: 4 },
  );
  return {
    started,
    release: (id: string) => releases.get(id)?.(),
    close: async () => {
      await worker.close(true);
      workerConnection.disconnect();
    },
  };
}

beforeAll(async () => {
  await queue.waitUntilReady();
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});

describe('enqueueRun', () => {
  it('folds requests into the waiting run of the same mapping, not into other mappings', async () => {
    const first = await enqueueRun(queue, { mapping: 'alpha', trigger: 'backfill' }, retry);
    const second = await enqueueRun(queue, { mapping: 'alpha', trigger: 'http' }, retry);
    const other = await enqueueRun(queue, { mapping: 'beta', trigger: 'backfill' }, retry);
    expect(first.outcome).toBe('queued');
    expect(second).toEqual({ outcome: 'folded', jobId: first.jobId });
    expect(other.outcome).toBe('queued');
    expect(await queue.getWaitingCount()).toBe(2);
    await queue.drain();
  });

  it('queues exactly one follow-up while a run is active; later requests fold into it', async () => {
    const { started, release, close } = blockingWorker();
    try {
      const first = await enqueueRun(queue, { mapping: 'gamma', trigger: 'backfill' }, retry);
      await until('the first run to start', () => started.length === 1);
      const requests = [];
      for (let i = 0; i < 3; i++)
        requests.push(await enqueueRun(queue, { mapping: 'gamma', trigger: 'backfill' }, retry));
      expect(requests.map((r) => r.outcome)).toEqual(['follow-up', 'follow-up', 'follow-up']);
      expect(requests.every((r) => r.activeJobId === first.jobId)).toBe(true);
      // While the first run is active nothing else of the mapping may start.
      expect(await queue.getWaitingCount()).toBe(0);

      release(first.jobId);
      const followUp = await until('the follow-up to start', () => started[1]);
      // The last request's data and id win.
      expect(followUp.id).toBe(requests[2]!.jobId);
      // A request during the follow-up's run queues the next follow-up, not a parallel run.
      const during = await enqueueRun(queue, { mapping: 'gamma', trigger: 'backfill' }, retry);
      expect(during).toMatchObject({ outcome: 'follow-up', activeJobId: followUp.id });
      release(followUp.id ?? '');
      const next = await until('the second follow-up', () => started[2]);
      release(next.id ?? '');
      await until('the queue to empty', async () => (await queue.getActiveCount()) === 0);
      expect(started.map((j) => j.id)).toEqual([first.jobId, followUp.id, during.jobId]);
    } finally {
      await close();
    }
  });
});
