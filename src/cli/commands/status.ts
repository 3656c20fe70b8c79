import { parseArgs } from 'node:util';
import { readEnv } from '../../config/env.js';
import { formatStatus } from '../../queue/format-status.js';
import { HistoryStore } from '../../queue/history-store.js';
import { readStatus } from '../../queue/read-status.js';
import { openRedis, requireRedisUrl } from '../../queue/redis-connection.js';
import { openSyncQueue } from '../../queue/sync-queue.js';
import { type Command, parseCommandLine } from '../command.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync status [mapping name] [--limit N] [--json]

Lists recent runs (status, counts, calls, duration) and the next scheduled time of each mapping
(or of one), from the history the workers keep in Redis.

Options:
  --limit N   runs shown per mapping (default 10)
  --json      print JSON instead of text

Environment: REDIS_URL (required), QUEUE_PREFIX.`;

export const command: Command = {
  name: 'status',
  summary: 'Recent runs and next scheduled times',
  usage,
  async run(argv) {
    const parsed = parseCommandLine(() => parse(argv));
    try {
      const env = readEnv();
      const connection = openRedis(requireRedisUrl(env, 'status'));
      const queue = openSyncQueue(env, connection);
      try {
        const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
        const statuses = await readStatus(queue, history, {
          ...(parsed.name ? { names: [parsed.name] } : {}),
          limit: parsed.limit,
        });
        process.stdout.write(
          parsed.json ? `${JSON.stringify(statuses, null, 2)}\n` : `${formatStatus(statuses)}\n`,
        );
        return 0;
      } finally {
        await queue.close();
        connection.disconnect();
      }
    } catch (error) {
      return reportFailure('status', error);
    }
  },
};

function parse(argv: string[]): { name?: string; limit: number; json: boolean } {
  const { values, positionals } = parseArgs({
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
