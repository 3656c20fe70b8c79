import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { scrub } from '../../log/secrets.js';
import { ConfigError } from '../../mappings/config-error.js';
import { startWorker } from '../../worker/start-worker.js';
import type { Command } from '../command.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync worker

Long-running: validates every mapping in MAPPINGS_DIR (refuses to start on an invalid one),
registers one job scheduler per scheduled mapping, processes sync jobs and serves
GET /healthz, GET /metrics, the dashboard at /dashboard and POST /mappings/{name}/runs on
WORKER_HTTP_PORT. SIGTERM or SIGINT: stops taking jobs, hands running ones back, exits 0.

Environment: REDIS_URL (required), AFFINITY_API_KEY (required), MAPPINGS_DIR, WORKER_CONCURRENCY,
WORKER_HTTP_PORT, WORKER_HTTP_TOKEN, HISTORY_RETENTION, QUEUE_PREFIX, JOB_ATTEMPTS, JOB_BACKOFF_MS,
WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS, WORKER_SHUTDOWN_TIMEOUT_MS, LOG_LEVEL.
Exit codes: 0 stopped by a signal, 2 invalid mapping or configuration, 1 other failure.`;

/** After a clean shutdown, library timers must not keep the process alive; ms. */
const exitBackstopMs = 2000;

export const command: Command = {
  name: 'worker',
  summary: 'Long-running scheduler and job worker (BullMQ on Redis)',
  usage,
  async run(argv) {
    if (argv.length > 0) {
      process.stderr.write(`affinity-sync worker: unexpected argument "${argv[0]}"\n\n${usage}\n`);
      return 2;
    }
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
