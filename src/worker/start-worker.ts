import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createApp } from '../http/create-app.js';
import { operatorData } from '../http/operator-page/operator-data.js';
import { type HttpServer, serveHttp } from '../http/serve.js';
import type { Logger } from '../log/logger.js';
import { registerSecret, scrub } from '../log/secrets.js';
import { SyncMetrics } from '../metrics/sync-metrics.js';
import { enqueueRun } from '../queue/enqueue-run.js';
import { HistoryStore } from '../queue/history-store.js';
import { openRedis, requireRedisUrl } from '../queue/redis-connection.js';
import { redisLocation } from '../queue/redis-location.js';
import { openSyncQueue, syncQueueName } from '../queue/sync-queue.js';
import { syncSchedulers } from '../queue/sync-schedulers.js';
import { waitForRedis } from '../queue/wait-for-redis.js';
import { WorkerRegistry } from '../queue/worker-registry.js';
import type { JobContext, JobHandler } from './job-context.js';
import { loadJobHandlers } from './job-handlers.js';
import { MappingReloader } from './mapping-reloader.js';
import { newWorkerId, publishPresence } from './presence.js';
import { RedisWatch } from './redis-watch.js';
import { watchMappings } from './watch-mappings.js';
import { workerHealth } from './worker-health.js';

export interface RunningWorker {
  /** The HTTP port (health, metrics, dashboard, trigger). */
  port: number;
  /** This worker's id in the registry (and its BullMQ worker name). */
  id: string;
  /**
   * Stops taking jobs, aborts running syncs (requests in flight finish; their jobs go back to the
   * queue), then closes everything. Resolves within WORKER_SHUTDOWN_TIMEOUT_MS plus a moment.
   */
  close: () => Promise<void>;
}

/** What the steps of a starting worker share (one main Redis connection for all of it). */
interface WorkerParts {
  id: string;
  redisUrl: string;
  connection: Redis;
  redis: RedisWatch;
  queue: Queue;
  history: HistoryStore;
  registry: WorkerRegistry;
  metrics: SyncMetrics;
  mappings: MappingReloader;
  /** The scheduled mappings whose job schedulers /readyz expects. */
  registered: { names: string[] };
  enqueue: JobContext['enqueue'];
  logger: Logger;
}

/**
 * Starts a worker, in an order that leaves nothing behind when a step fails: validate every mapping
 * (ConfigError names each bad file), bind the HTTP port (/livez answers from here on), wait for
 * Redis (up to WORKER_REDIS_WAIT_SECONDS), make the job schedulers match the mappings, then watch
 * MAPPINGS_DIR, process sync jobs and publish this worker's presence.
 */
export async function startWorker(env: Env, logger: Logger): Promise<RunningWorker> {
  const redisUrl = requireRedisUrl(env, 'worker');
  requireApiKey(env);
  registerSecret(env.WORKER_HTTP_TOKEN);
  registerSecret(env.DBT_CLOUD_WEBHOOK_SECRET);
  const handlers = await loadJobHandlers();
  const mappings = await loadMappings(env, logger);
  const parts = openParts(env, redisUrl, mappings, logger);
  const { connection, queue } = parts;

  const http = await bindHttp(env, parts).catch(async (error: unknown) => {
    await disconnect(connection, queue);
    throw error;
  });
  try {
    parts.registered.names = await waitAndSchedule(env, parts);
  } catch (error) {
    await http.close();
    await disconnect(connection, queue);
    throw error;
  }

  const { presence, stopWatching } = followMappings(env, parts);
  const context: JobContext = {
    env,
    logger,
    mapping: (name) => mappings.current(name),
    history: parts.history,
    metrics: parts.metrics,
    enqueue: parts.enqueue,
  };
  const worker = runJobs(env, redisUrl, { id: parts.id, handlers, context, logger, redis: parts.redis });
  await presence.published;
  logger.info(
    {
      id: parts.id,
      port: http.port,
      concurrency: env.WORKER_CONCURRENCY,
      mappings: [...mappings.running.keys()],
    },
    'worker started',
  );

  const close = async () => {
    logger.info('shutting down: no new jobs; running syncs hand their jobs back');
    stopWatching();
    await stopJobs(worker, env.WORKER_SHUTDOWN_TIMEOUT_MS, logger);
    await withTimeout(presence.stop(), 2000).catch(() => undefined);
    parts.redis.close();
    await http.close();
    await disconnect(connection, queue);
    logger.info('worker stopped');
  };
  let closing: Promise<void> | undefined;
  return {
    port: http.port,
    id: parts.id,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/** Reads and validates MAPPINGS_DIR (every file must be valid at start). */
async function loadMappings(env: Env, logger: Logger): Promise<MappingReloader> {
  const mappings = new MappingReloader(env.MAPPINGS_DIR, logger);
  await mappings.load();
  if (mappings.running.size === 0) {
    logger.warn({ dir: env.MAPPINGS_DIR }, 'no mapping files found; nothing will run until one is added');
  }
  return mappings;
}

/** The connection (lazy: nothing reaches Redis yet), queue, history, registry and metrics. */
function openParts(env: Env, redisUrl: string, mappings: MappingReloader, logger: Logger): WorkerParts {
  const connection = openRedis(redisUrl, { forWorker: true, lazy: true });
  const redis = new RedisWatch(connection, redisUrl, logger);
  const queue = openSyncQueue(env, connection);
  redis.quiet(queue, 'queue');
  const retry = { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS };
  return {
    id: newWorkerId(),
    redisUrl,
    connection,
    redis,
    queue,
    history: new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION),
    registry: new WorkerRegistry(connection, env.QUEUE_PREFIX),
    metrics: new SyncMetrics(),
    mappings,
    registered: { names: [] },
    enqueue: (payload) => enqueueRun(queue, payload, retry),
    logger,
  };
}

/**
 * Publishes this worker's presence (its mappings) and watches MAPPINGS_DIR: a reload updates the
 * schedulers, the names /readyz expects and, at once, the presence.
 */
function followMappings(
  env: Env,
  parts: WorkerParts,
): { presence: ReturnType<typeof publishPresence>; stopWatching: () => void } {
  const { mappings, logger } = parts;
  const presence = publishPresence({
    registry: parts.registry,
    id: parts.id,
    logger,
    redisUp: () => parts.redis.up,
    loaded: () => mappings.published(),
  });
  mappings.attach(parts.queue, () => {
    parts.registered.names = [...mappings.running.values()].flatMap((v) =>
      v.loaded.mapping.schedule ? [v.loaded.mapping.name] : [],
    );
    presence.changed();
  });
  const stopWatching = watchMappings(env.MAPPINGS_DIR, logger, (reason) => void mappings.reload(reason));
  return { presence, stopWatching };
}

/** Waits for Redis (WORKER_REDIS_WAIT_SECONDS), then makes the schedulers match; returns those registered. */
async function waitAndSchedule(env: Env, parts: WorkerParts): Promise<string[]> {
  const { logger, redisUrl } = parts;
  await waitForRedis(parts.connection, redisUrl, env.WORKER_REDIS_WAIT_SECONDS * 1000, (reason) =>
    logger.warn(
      { redis: redisLocation(redisUrl), reason, waitSeconds: env.WORKER_REDIS_WAIT_SECONDS },
      'Redis does not answer yet; waiting for it (WORKER_REDIS_WAIT_SECONDS)',
    ),
  );
  const mappings = [...parts.mappings.running.values()].map((v) => v.loaded.mapping);
  const schedulers = await syncSchedulers(parts.queue, mappings);
  logger.info(schedulers, 'job schedulers in step with the mappings');
  return schedulers.registered;
}

/** Stops taking jobs and aborts running syncs (their jobs go back); waits at most `timeoutMs`. */
async function stopJobs(worker: Worker, timeoutMs: number, logger: Logger): Promise<void> {
  const stopped = worker.close();
  worker.cancelAllJobs('worker shutting down');
  const finished = await withTimeout(stopped, timeoutMs).then(
    () => true,
    () => false,
  );
  if (!finished) {
    logger.warn(
      { timeoutMs },
      'running syncs did not stop in time; their jobs return to the queue when their locks expire',
    );
  }
}

/** Binds the HTTP port first: a port in use fails the start before anything reaches Redis. */
async function bindHttp(env: Env, parts: WorkerParts): Promise<HttpServer> {
  const { queue, connection, redis, mappings, registered } = parts;
  const app = createApp({
    queue,
    metrics: parts.metrics.registry,
    health: () => workerHealth({ connection, redis, queue, mappings, registered }),
    mappingNames: () => new Set(mappings.running.keys()),
    enqueue: parts.enqueue,
    redisUp: () => redis.up,
    token: env.WORKER_HTTP_TOKEN,
    dashboardPublic: env.WORKER_DASHBOARD_PUBLIC,
    dbtCloudSecret: env.DBT_CLOUD_WEBHOOK_SECRET,
    operator: operatorData({
      workerId: parts.id,
      queue,
      history: parts.history,
      registry: parts.registry,
      loaded: () => mappings.published(),
      mapping: (name) => mappings.current(name)?.loaded.mapping,
      redisUp: () => redis.up,
      results: env.RESULTS_DATABASE_URL
        ? { url: env.RESULTS_DATABASE_URL, schema: env.RESULTS_SCHEMA }
        : undefined,
    }),
    logger: parts.logger,
  });
  try {
    return await serveHttp(app, env.WORKER_HTTP_PORT, env.WORKER_HTTP_HOST);
  } catch (error) {
    const where = `${env.WORKER_HTTP_HOST ?? '*'}:${env.WORKER_HTTP_PORT}`;
    throw new Error(
      `cannot listen on ${where} (WORKER_HTTP_HOST, WORKER_HTTP_PORT): ${(error as Error).message}; ` +
        'choose another port or stop what holds it — nothing was registered in Redis',
    );
  }
}

/** The BullMQ Worker taking sync jobs on its own connection; `close()` also ends that connection. */
function runJobs(
  env: Env,
  redisUrl: string,
  options: {
    id: string;
    handlers: ReadonlyMap<string, JobHandler>;
    context: JobContext;
    logger: Logger;
    redis: RedisWatch;
  },
): Worker {
  const { handlers, context, logger } = options;
  const connection = openRedis(redisUrl, { forWorker: true });
  connection.on('error', () => undefined); // reported once by the watch on the main connection
  const worker = new Worker(
    syncQueueName,
    // Three parameters: BullMQ passes an abort signal only to processors that declare it.
    (job: Job<unknown>, token?: string, signal?: AbortSignal) => {
      const handler = handlers.get(job.name);
      if (!handler)
        throw new UnrecoverableError(`no handler for job "${job.name}" (no file jobs/${job.name}.*)`);
      return handler.handle(job, context, { token, signal });
    },
    {
      name: options.id,
      connection,
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WORKER_CONCURRENCY,
      lockDuration: env.WORKER_LOCK_DURATION_MS,
      stalledInterval: env.WORKER_STALLED_INTERVAL_MS,
      // A job whose worker died twice in a row is more likely the cause than the victim.
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, job: job?.name, reason: scrub(error.message) }, 'job failed'),
  );
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its worker stopped); retaken'));
  worker.on('closed', () => connection.disconnect());
  options.redis.quiet(worker, 'worker');
  return worker;
}

async function disconnect(connection: Redis, queue: { close: () => Promise<void> }): Promise<void> {
  // A queue whose connection never came up would wait for it; closing the connection first ends that.
  if (connection.status !== 'ready') connection.disconnect();
  await withTimeout(queue.close(), 2000).catch(() => undefined);
  connection.disconnect();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
