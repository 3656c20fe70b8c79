import type { Redis } from 'ioredis';
import { readEnv } from '../../config/env.js';
import { connectRedisForCommand } from '../../queue/connect-redis-for-command.js';
import { formatStatus } from '../../queue/format-status.js';
import { HistoryStore } from '../../queue/history-store.js';
import { readStatus } from '../../queue/read-status.js';
import { openSyncQueue } from '../../queue/sync-queue.js';
import { loadedMappings, WorkerRegistry } from '../../queue/worker-registry.js';
import { type Command, ExitError, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync status [mapping name] [--limit N] [--json]

Lists the mappings the running workers have loaded (version, problems of a file kept at its last
valid version), their next scheduled time and their recent runs (status, counts, calls,
duration), from Redis. A mapping no worker has loaded any more is not listed (its history stays).
With no worker running it lists the mappings with a schedule or a recorded run.

Options:
  --limit N   runs shown per mapping (default 10)
  --json      print JSON instead of text

Environment: REDIS_URL (required), QUEUE_PREFIX, HISTORY_RETENTION.
Exit codes: 0 shown, 1 Redis does not answer (within 5 s), 2 unknown mapping or bad arguments.

Example:
  affinity-sync status portfolio-metrics --limit 3`;

export const command: Command = {
  name: 'status',
  summary: 'Recent runs and next scheduled times',
  usage,
  async run(argv) {
    const parsed = parseCommandLine(() => parse(argv));
    let connection: Redis | undefined;
    try {
      const env = readEnv();
      connection = await connectRedisForCommand(env, 'status');
      const queue = openSyncQueue(env, connection);
      try {
        const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
        const workers = await new WorkerRegistry(connection, env.QUEUE_PREFIX).live();
        const known =
          workers.length > 0
            ? [...loadedMappings(workers).keys()]
            : [
                ...new Set([
                  ...(await history.mappings()),
                  ...(await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key),
                ]),
              ].sort();
        if (parsed.name !== undefined && !known.includes(parsed.name)) {
          const where = workers.length > 0 ? 'the workers have' : 'no worker is running; Redis has';
          throw new ExitError(
            `no mapping named "${parsed.name}"; ${where}: ${known.join(', ') || 'none'}`,
            2,
          );
        }
        const statuses = await readStatus(queue, history, {
          names: parsed.name === undefined ? known : [parsed.name],
          limit: parsed.limit,
          ...(workers.length > 0 ? { workers } : {}),
        });
        if (parsed.json) {
          process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
          return 0;
        }
        if (workers.length === 0) {
          process.stdout.write(
            `No worker is running under QUEUE_PREFIX=${env.QUEUE_PREFIX}; showing what Redis remembers.\n\n`,
          );
        }
        process.stdout.write(`${formatStatus(statuses)}\n`);
        return 0;
      } finally {
        await queue.close().catch(() => undefined);
      }
    } catch (error) {
      return reportFailure('status', error);
    } finally {
      connection?.disconnect();
    }
  },
};

function parse(argv: string[]): { name?: string; limit: number; json: boolean } {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [name, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a whole number of 1 or more`);
  return { ...(name ? { name } : {}), limit, json: values.json ?? false };
}
