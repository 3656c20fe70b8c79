import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createApp } from '../http/create-app.js';
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
import type { JobContext } from './job-context.js';
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
  const mappings = new MappingReloader(env.MAPPINGS_DIR, logger);
  await mappings.load();
  if (mappings.running.size === 0) {
    logger.warn({ dir: env.MAPPINGS_DIR }, 'no mapping files found; nothing will run until one is added');
  }

  const id = newWorkerId();
  const connection = openRedis(redisUrl, { forWorker: true, lazy: true });
  const redis = new RedisWatch(connection, redisUrl, logger);
  const queue = openSyncQueue(env, connection);
  redis.quiet(queue, 'queue');
  const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
  const metrics = new SyncMetrics();
  const retry = { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS };
  const enqueue: JobContext['enqueue'] = (payload) => enqueueRun(queue, payload, retry);
  const registered: { names: string[] } = { names: [] };

  let http: HttpServer;
  try {
    http = await serveHttp(
      createApp({
        queue,
        metrics: metrics.registry,
        health: () => workerHealth({ connection, redis, queue, mappings, registered }),
        mappingNames: () => new Set(mappings.running.keys()),
        enqueue,
        redisUp: () => redis.up,
        token: env.WORKER_HTTP_TOKEN,
        dashboardPublic: env.WORKER_DASHBOARD_PUBLIC,
        dbtCloudSecret: env.DBT_CLOUD_WEBHOOK_SECRET,
        logger,
      }),
      env.WORKER_HTTP_PORT,
      env.WORKER_HTTP_HOST,
    );
  } catch (error) {
    await disconnect(connection, queue);
    const where = `${env.WORKER_HTTP_HOST ?? '*'}:${env.WORKER_HTTP_PORT}`;
    throw new Error(
      `cannot listen on ${where} (WORKER_HTTP_HOST, WORKER_HTTP_PORT): ${(error as Error).message}; ` +
        'choose another port or stop what holds it — nothing was registered in Redis',
    );
  }

  try {
    await waitForRedis(connection, redisUrl, env.WORKER_REDIS_WAIT_SECONDS * 1000, (reason) =>
      logger.warn(
        { redis: redisLocation(redisUrl), reason, waitSeconds: env.WORKER_REDIS_WAIT_SECONDS },
        'Redis does not answer yet; waiting for it (WORKER_REDIS_WAIT_SECONDS)',
      ),
    );
    const schedulers = await syncSchedulers(
      queue,
      [...mappings.running.values()].map((v) => v.loaded.mapping),
    );
    registered.names = schedulers.registered;
    logger.info(schedulers, 'job schedulers in step with the mappings');
  } catch (error) {
    await http.close();
    await disconnect(connection, queue);
    throw error;
  }

  const registry = new WorkerRegistry(connection, env.QUEUE_PREFIX);
  const presence = publishPresence({
    registry,
    id,
    logger,
    redisUp: () => redis.up,
    loaded: () => mappings.published(),
  });
  mappings.attach(queue, () => {
    registered.names = [...mappings.running.values()].flatMap((v) =>
      v.loaded.mapping.schedule ? [v.loaded.mapping.name] : [],
    );
    presence.changed();
  });
  const stopWatching = watchMappings(env.MAPPINGS_DIR, logger, (reason) => void mappings.reload(reason));

  const context: JobContext = {
    env,
    logger,
    mapping: (name) => mappings.current(name),
    history,
    metrics,
    enqueue,
  };
  const workerConnection = openRedis(redisUrl, { forWorker: true });
  workerConnection.on('error', () => undefined); // reported once by the watch on the main connection
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
      name: id,
      connection: workerConnection,
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
  redis.quiet(worker, 'worker');
  await presence.published;
  logger.info(
    { id, port: http.port, concurrency: env.WORKER_CONCURRENCY, mappings: [...mappings.running.keys()] },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    logger.info('shutting down: no new jobs; running syncs hand their jobs back');
    stopWatching();
    const stopped = worker.close();
    worker.cancelAllJobs('worker shutting down');
    const finished = await withTimeout(stopped, env.WORKER_SHUTDOWN_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (!finished) {
      logger.warn(
        { timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS },
        'running syncs did not stop in time; their jobs return to the queue when their locks expire',
      );
    }
    await withTimeout(presence.stop(), 2000).catch(() => undefined);
    redis.close();
    await http.close();
    await disconnect(connection, queue);
    workerConnection.disconnect();
    logger.info('worker stopped');
  };
  return {
    port: http.port,
    id,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
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
