import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { scrub } from '../../log/secrets.js';
import { ConfigError } from '../../mappings/config-error.js';
import { startWorker } from '../../worker/start-worker.js';
import { type Command, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync worker

Long-running: validates every mapping in MAPPINGS_DIR (refuses to start on an invalid one),
binds WORKER_HTTP_PORT, waits for Redis (up to WORKER_REDIS_WAIT_SECONDS), registers one job
scheduler per scheduled mapping and processes sync jobs. It watches MAPPINGS_DIR (also on
SIGHUP): a changed file is validated again and used by the next run; an invalid one keeps its
last valid version running; a removed one takes its schedule with it. HTTP: GET /livez, /readyz,
/metrics, the dashboard at /dashboard (sign in with WORKER_HTTP_TOKEN), POST
/mappings/{name}/runs and POST /webhooks/dbt-cloud. SIGTERM or SIGINT: stops taking jobs, hands
running ones back, exits 0.

Environment: REDIS_URL (required), AFFINITY_API_KEY (required), AFFINITY_BASE_URL, MAPPINGS_DIR,
WORKER_CONCURRENCY, WORKER_HTTP_HOST, WORKER_HTTP_PORT, WORKER_HTTP_TOKEN, WORKER_DASHBOARD_PUBLIC,
DBT_CLOUD_WEBHOOK_SECRET, WORKER_REDIS_WAIT_SECONDS, HISTORY_RETENTION, QUEUE_PREFIX, JOB_ATTEMPTS,
JOB_BACKOFF_MS, WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS, WORKER_SHUTDOWN_TIMEOUT_MS,
SYNC_CONCURRENCY, RATE_LIMIT_MARGIN, QUOTA_RESERVE, LOG_LEVEL.
Exit codes: 0 stopped by a signal, 1 Redis did not answer in time or the port is taken,
2 invalid mapping or configuration.

Example:
  REDIS_URL=redis://localhost:6379 MAPPINGS_DIR=./mappings affinity-sync worker`;

/** After a clean shutdown, library timers must not keep the process alive; ms. */
const exitBackstopMs = 2000;

export const command: Command = {
  name: 'worker',
  summary: 'Long-running scheduler and job worker (BullMQ on Redis)',
  usage,
  async run(argv) {
    parseCommandLine(() => parseOptions({ args: argv, options: {} }));
    try {
      const env = readEnv();
      const logger = createLogger({ level: env.LOG_LEVEL });
      const running = await startWorker(env, logger);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'signal received');
          running.close().then(resolve, (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      setTimeout(() => process.exit(0), exitBackstopMs).unref();
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(
          `affinity-sync worker: refusing to start, invalid mapping:\n${scrub(error.message)}\n`,
        );
        return 2;
      }
      return reportFailure('worker', error);
    }
  },
};
