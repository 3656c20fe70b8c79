import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Env } from '../../config/env.js';
import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { connectRedisForCommand } from '../../queue/connect-redis-for-command.js';
import { type EnqueueResult, enqueueRun } from '../../queue/enqueue-run.js';
import { followRun } from '../../queue/follow-run.js';
import { HistoryStore } from '../../queue/history-store.js';
import { openRedis } from '../../queue/redis-connection.js';
import { redisLocation } from '../../queue/redis-location.js';
import { openSyncQueue, syncQueueName } from '../../queue/sync-queue.js';
import { watchFollowedJob } from '../../queue/watch-followed-job.js';
import { loadedMappings, WorkerRegistry } from '../../queue/worker-registry.js';
import { formatSummary } from '../../sync/summary.js';
import type { SyncJobProgress, SyncJobResult } from '../../worker/run-sync-job.js';
import { type Command, ExitError, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { progressReporter } from '../progress-reporter.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync backfill <mapping name> [--mode overwrite] [--wait]

Asks the workers for a run of one mapping now. While a run of that mapping is active, one
follow-up run is queued and later requests fold into it. Needs only REDIS_URL: the name is
checked against the mappings the running workers have loaded (no mapping files, no warehouse
or Affinity credentials here).

Options:
  --mode MODE   diff (send only changed values; default from the mapping) or overwrite
  --wait        follow the run's progress and exit with its exit code; says when the worker
                running it disappears and whether the job was retaken; gives up (exit 1) after
                10 s without any live worker

Environment: REDIS_URL (required), QUEUE_PREFIX, JOB_ATTEMPTS, JOB_BACKOFF_MS, HISTORY_RETENTION,
LOG_LEVEL.
Exit codes: 0 queued (with --wait: the run succeeded), 1 the run was partial or failed, no worker
is running, or Redis does not answer (within 5 s), 2 unknown mapping or bad arguments.

Example (a CI step after dbt):
  affinity-sync backfill portfolio-metrics --wait || exit 1`;

export const command: Command = {
  name: 'backfill',
  summary: 'Enqueue a run of one mapping now',
  usage,
  async run(argv) {
    const parsed = parseCommandLine(() => parse(argv));
    let connection: Redis | undefined;
    try {
      const env = readEnv();
      connection = await connectRedisForCommand(env, 'backfill');
      const registry = new WorkerRegistry(connection, env.QUEUE_PREFIX);
      await checkLoaded(registry, parsed.target, env);
      return await request(env, connection, registry, parsed);
    } catch (error) {
      return reportFailure('backfill', error);
    } finally {
      connection?.disconnect();
    }
  },
};

/** The workers must be running and one of them must have the mapping loaded. */
async function checkLoaded(registry: WorkerRegistry, name: string, env: Env): Promise<void> {
  const workers = await registry.live();
  if (workers.length === 0) {
    throw new ExitError(
      `no worker is running under QUEUE_PREFIX=${env.QUEUE_PREFIX} at ${redisLocation(env.REDIS_URL ?? '')}; ` +
        'nothing was queued — start one with `affinity-sync worker` (same REDIS_URL and QUEUE_PREFIX)',
      1,
    );
  }
  const loaded = loadedMappings(workers);
  if (!loaded.has(name)) {
    const names = [...loaded.keys()].join(', ') || 'none';
    throw new ExitError(`no mapping named "${name}"; the workers have: ${names}`, 2);
  }
}

async function request(
  env: Env,
  connection: Redis,
  registry: WorkerRegistry,
  parsed: ReturnType<typeof parse>,
): Promise<number> {
  const queue = openSyncQueue(env, connection);
  // Subscribed before the add so no event of the run can slip by.
  const eventsConnection = parsed.wait ? openRedis(env.REDIS_URL ?? '', { forWorker: true }) : undefined;
  eventsConnection?.on('error', () => undefined); // the watch below reports a lost Redis
  const events = eventsConnection
    ? new QueueEvents(syncQueueName, {
        connection: eventsConnection,
        prefix: env.QUEUE_PREFIX,
        lastEventId: `${Date.now() - 1}-0`,
      })
    : undefined;
  events?.on('error', () => undefined);
  try {
    await events?.waitUntilReady();
    const name = parsed.target;
    const result = await enqueueRun(
      queue,
      { mapping: name, trigger: 'backfill', ...(parsed.mode ? { mode: parsed.mode } : {}) },
      { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS },
    );
    process.stdout.write(`${describe(name, result)}\n`);
    if (!events) return 0;
    return await follow(env, { queue, events, registry, connection, name, result });
  } finally {
    await events?.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    // BullMQ leaves connections it was given open; without this the process would not exit.
    eventsConnection?.disconnect();
  }
}

async function follow(
  env: Env,
  options: {
    queue: ReturnType<typeof openSyncQueue>;
    events: QueueEvents;
    registry: WorkerRegistry;
    connection: Redis;
    name: string;
    result: EnqueueResult;
  },
): Promise<number> {
  const { queue, events, name } = options;
  const logger = createLogger({ level: env.LOG_LEVEL });
  const progress = progressReporter({ stream: process.stderr, logger });
  let followed: string | undefined;
  events.on('progress', ({ jobId, data }) => {
    if (jobId === followed && typeof data === 'object' && data !== null)
      progress.update(data as SyncJobProgress);
  });
  const watch = watchFollowedJob({
    queue,
    registry: options.registry,
    jobId: () => followed,
    onNotice: (line) => process.stderr.write(`backfill ${name}: ${line}\n`),
    redisLocation: redisLocation(env.REDIS_URL ?? ''),
  });
  const outcome = await Promise.race([
    followRun({ queue, events, mapping: name, request: options.result, onJob: (id) => (followed = id) }),
    watch.gaveUp.then((reason) => ({ outcome: 'gave-up' as const, reason })),
  ]).finally(() => watch.stop());
  progress.finish();
  if (outcome.outcome === 'gave-up') throw new ExitError(outcome.reason, 1);
  const history = new HistoryStore(options.connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
  const entry = (await history.recent(name, 20)).find((e) => e.jobId === outcome.jobId);
  if (entry) process.stdout.write(`${formatSummary(entry.report)}\n`);
  if (outcome.outcome === 'failed') {
    process.stderr.write(`affinity-sync backfill: run ${outcome.jobId} failed: ${outcome.reason}\n`);
    return 1;
  }
  return (outcome.returnValue as Partial<SyncJobResult> | undefined)?.exitCode ?? 1;
}

function describe(mapping: string, request: EnqueueResult): string {
  switch (request.outcome) {
    case 'queued':
      return `backfill ${mapping}: queued as job ${request.jobId}`;
    case 'folded':
      return `backfill ${mapping}: a run was already waiting; joined job ${request.jobId}`;
    case 'follow-up':
      return `backfill ${mapping}: a run is active (job ${request.activeJobId}); one follow-up run will start when it ends`;
    default: {
      const never: never = request.outcome;
      return never;
    }
  }
}

function parse(argv: string[]): { target: string; wait: boolean; mode?: 'diff' | 'overwrite' } {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { mode: { type: 'string' }, wait: { type: 'boolean', default: false } },
  });
  const [target, ...extra] = positionals;
  if (!target) throw new Error('name a mapping');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  const mode = values.mode;
  if (mode !== undefined && mode !== 'diff' && mode !== 'overwrite') {
    throw new Error(`--mode must be diff or overwrite, not "${mode}"`);
  }
  return { target, wait: values.wait ?? false, ...(mode ? { mode } : {}) };
}
