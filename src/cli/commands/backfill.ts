import { parseArgs } from 'node:util';
import { QueueEvents } from 'bullmq';
import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { findMapping } from '../../mappings/load-mapping.js';
import { type EnqueueResult, enqueueRun } from '../../queue/enqueue-run.js';
import { followRun } from '../../queue/follow-run.js';
import { HistoryStore } from '../../queue/history-store.js';
import { openRedis, requireRedisUrl } from '../../queue/redis-connection.js';
import { openSyncQueue, syncQueueName } from '../../queue/sync-queue.js';
import { formatSummary } from '../../sync/summary.js';
import type { SyncJobProgress, SyncJobResult } from '../../worker/run-sync-job.js';
import { type Command, parseCommandLine } from '../command.js';
import { progressReporter } from '../progress-reporter.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync backfill <mapping name> [--mode overwrite] [--wait]

Asks the workers for a run of one mapping now. While a run of that mapping is active, one
follow-up run is queued and later requests fold into it.

Options:
  --mode MODE   diff (send only changed values; default from the mapping) or overwrite
  --wait        follow the run's progress and exit with its exit code

Environment: REDIS_URL (required), MAPPINGS_DIR, QUEUE_PREFIX, JOB_ATTEMPTS, JOB_BACKOFF_MS.
Exit codes: 0 queued (with --wait: the run succeeded), 1 the run was partial or failed,
2 unknown mapping or configuration.`;

export const command: Command = {
  name: 'backfill',
  summary: 'Enqueue a run of one mapping now',
  usage,
  async run(argv) {
    const parsed = parseCommandLine(() => parse(argv));
    try {
      const env = readEnv();
      const redisUrl = requireRedisUrl(env, 'backfill');
      const { mapping } = await findMapping(parsed.target, env.MAPPINGS_DIR);
      const connection = openRedis(redisUrl);
      const queue = openSyncQueue(env, connection);
      // Subscribed before the add so no event of the run can slip by.
      const eventsConnection = parsed.wait ? openRedis(redisUrl, { forWorker: true }) : undefined;
      const events = eventsConnection
        ? new QueueEvents(syncQueueName, {
            connection: eventsConnection,
            prefix: env.QUEUE_PREFIX,
            lastEventId: `${Date.now() - 1}-0`,
          })
        : undefined;
      try {
        await events?.waitUntilReady();
        const request = await enqueueRun(
          queue,
          { mapping: mapping.name, trigger: 'backfill', ...(parsed.mode ? { mode: parsed.mode } : {}) },
          { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS },
        );
        process.stdout.write(`${describe(mapping.name, request)}\n`);
        if (!events) return 0;

        const logger = createLogger({ level: env.LOG_LEVEL });
        const progress = progressReporter({ stream: process.stderr, logger });
        let followed = '';
        events.on('progress', ({ jobId, data }) => {
          if (jobId === followed && typeof data === 'object' && data !== null)
            progress.update(data as SyncJobProgress);
        });
        const outcome = await followRun({
          queue,
          events,
          mapping: mapping.name,
          request,
          onJob: (jobId) => {
            followed = jobId;
          },
        });
        progress.finish();
        const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
        const entry = (await history.recent(mapping.name, 20)).find((e) => e.jobId === outcome.jobId);
        if (entry) process.stdout.write(`${formatSummary(entry.report)}\n`);
        if (outcome.outcome === 'failed') {
          process.stderr.write(`affinity-sync backfill: run ${outcome.jobId} failed: ${outcome.reason}\n`);
          return 1;
        }
        return (outcome.returnValue as Partial<SyncJobResult> | undefined)?.exitCode ?? 1;
      } finally {
        await events?.close();
        await queue.close();
        // BullMQ leaves connections it was given open; without this the process would not exit.
        eventsConnection?.disconnect();
        connection.disconnect();
      }
    } catch (error) {
      return reportFailure('backfill', error);
    }
  },
};

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
  const { values, positionals } = parseArgs({
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
