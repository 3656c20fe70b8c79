import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createApp, type HealthReport } from '../http/create-app.js';
import { type HttpServer, serveHttp } from '../http/serve.js';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import { loadMappingsDir } from '../mappings/load-mapping.js';
import { SyncMetrics } from '../metrics/sync-metrics.js';
import { enqueueRun } from '../queue/enqueue-run.js';
import { HistoryStore } from '../queue/history-store.js';
import { openRedis, requireRedisUrl } from '../queue/redis-connection.js';
import { openSyncQueue, syncQueueName } from '../queue/sync-queue.js';
import { syncSchedulers } from '../queue/sync-schedulers.js';
import type { JobContext } from './job-context.js';
import { jobHandlers } from './job-handlers.js';

export interface RunningWorker {
  /** The HTTP port (health, metrics, dashboard, trigger). */
  port: number;
  /**
   * Stops taking jobs, aborts running syncs (requests in flight finish; their jobs go back to the
   * queue), then closes everything. Resolves within WORKER_SHUTDOWN_TIMEOUT_MS plus a moment.
   */
  close: () => Promise<void>;
}

/** How long a health check waits for Redis to answer PING, ms. */
const pingTimeoutMs = 2000;

/**
 * Starts a worker: validates every mapping (ConfigError names each bad file), makes the job
 * schedulers match the scheduled mappings, processes sync jobs with WORKER_CONCURRENCY and serves
 * the HTTP port.
 */
export async function startWorker(env: Env, logger: Logger): Promise<RunningWorker> {
  const redisUrl = requireRedisUrl(env, 'worker');
  requireApiKey(env);
  const loaded = await loadMappingsDir(env.MAPPINGS_DIR);
  if (loaded.length === 0) logger.warn({ dir: env.MAPPINGS_DIR }, 'no mapping files found; nothing will run');
  const mappings = new Map(loaded.map((l) => [l.mapping.name, l]));

  const connection = openRedis(redisUrl, { forWorker: true });
  const queue = openSyncQueue(env, connection);
  const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
  const metrics = new SyncMetrics();
  const retry = { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS };
  const context: JobContext = {
    env,
    logger,
    mappings,
    history,
    metrics,
    enqueue: (payload) => enqueueRun(queue, payload, retry),
  };

  const schedulers = await syncSchedulers(
    queue,
    loaded.map((l) => l.mapping),
  );
  logger.info(schedulers, 'job schedulers in step with the mappings');

  const workerConnection = openRedis(redisUrl, { forWorker: true });
  const worker = new Worker(
    syncQueueName,
    // Three parameters: BullMQ passes an abort signal only to processors that declare it.
    (job: Job<unknown>, token?: string, signal?: AbortSignal) => {
      const handler = jobHandlers.get(job.name);
      if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
      return handler.handle(job, context, { token, signal });
    },
    {
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
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));

  const health = async (): Promise<HealthReport> => {
    const checks: HealthReport['checks'] = {};
    try {
      await withTimeout(connection.ping(), pingTimeoutMs, 'no answer to PING');
      checks['redis'] = { ok: true, detail: 'answers' };
      const present = new Set((await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key));
      const missing = schedulers.registered.filter((name) => !present.has(name));
      checks['schedulers'] =
        missing.length === 0
          ? { ok: true, detail: `${schedulers.registered.length} registered` }
          : {
              ok: false,
              detail: `missing in Redis: ${missing.join(', ')} (restart the worker to register them)`,
            };
    } catch (error) {
      checks['redis'] = { ok: false, detail: scrub(error instanceof Error ? error.message : String(error)) };
      checks['schedulers'] = { ok: false, detail: 'unknown: Redis does not answer' };
    }
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };

  let http: HttpServer;
  try {
    http = await serveHttp(
      createApp({
        queue,
        metrics: metrics.registry,
        health,
        mappingNames: new Set(mappings.keys()),
        enqueue: context.enqueue,
        token: env.WORKER_HTTP_TOKEN,
        logger,
      }),
      env.WORKER_HTTP_PORT,
    );
  } catch (error) {
    await worker.close(true);
    await queue.close();
    workerConnection.disconnect();
    connection.disconnect();
    throw new Error(
      `cannot listen on WORKER_HTTP_PORT ${env.WORKER_HTTP_PORT}: ${(error as Error).message}; choose another port`,
    );
  }
  logger.info(
    { port: http.port, concurrency: env.WORKER_CONCURRENCY, mappings: [...mappings.keys()] },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    logger.info('shutting down: no new jobs; running syncs hand their jobs back');
    const stopped = worker.close();
    worker.cancelAllJobs('worker shutting down');
    const finished = await withTimeout(stopped, env.WORKER_SHUTDOWN_TIMEOUT_MS, 'timeout').then(
      () => true,
      () => false,
    );
    if (!finished) {
      logger.warn(
        { timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS },
        'running syncs did not stop in time; their jobs return to the queue when their locks expire',
      );
    }
    await http.close();
    await queue.close().catch(() => undefined);
    workerConnection.disconnect();
    connection.disconnect();
    logger.info('worker stopped');
  };
  return {
    port: http.port,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
