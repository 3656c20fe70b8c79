import { type Env, EnvError, readEnv } from '../../config/env.js';
import { connectRedisForCommand } from '../../queue/connect-redis-for-command.js';
import { HistoryStore, historyChangeSample } from '../../queue/history-store.js';
import {
  formatChanges,
  formatProblems,
  formatRunDetail,
  formatRunLine,
  formatRunList,
} from '../../results/format-history.js';
import { registerResultsSecret } from '../../results/open-run-sink.js';
import {
  type Omission,
  omittedChanges,
  omittedProblems,
  reportChangesPage,
  reportProblemsPage,
} from '../../results/report-pages.js';
import {
  closeResults,
  connectResults,
  describeResultsError,
  nameResultsStore,
} from '../../results/results-connection.js';
import { ResultsReader } from '../../results/results-reader.js';
import { storedRunFromReport } from '../../results/stored-run.js';
import { type Command, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync history <mapping name> [--run ID] [--changes] [--problems] [--limit N] [--offset N] [--json]

What did the last runs of a mapping do? Lists its recent runs, or one run with its changed fields
(before → after) and its problems, from the results store (RESULTS_DATABASE_URL). Without a
results store it reads the run history the workers keep in Redis (REDIS_URL): each run's counts,
its problems (the first 1,000) and its first 50 changes.

Options:
  --run ID      one run (default with --changes / --problems: the newest finished run)
  --changes     list the run's changes: entry, field, before → after
  --problems    list the run's problems: code, row, key, column, entry, reason
  --limit N     runs listed (default 10), or changes / problems per page (default 50)
  --offset N    skip the first N changes / problems (the next page)
  --json        print JSON instead of text

Environment: RESULTS_DATABASE_URL, RESULTS_SCHEMA (default affinity_sync); without a results store
REDIS_URL, QUEUE_PREFIX, HISTORY_RETENTION.
Exit codes: 0 answered (also when nothing is recorded yet), 1 the store could not be read or the run
is not there, 2 usage or configuration (neither RESULTS_DATABASE_URL nor REDIS_URL set).

Example (what did last night's run change?):
  affinity-sync history portfolio-metrics --changes`;

interface HistoryArgs {
  mapping: string;
  runId?: string;
  changes: boolean;
  problems: boolean;
  limit?: number;
  offset: number;
  json: boolean;
}

export const command: Command = {
  name: 'history',
  summary: 'What the last runs of a mapping changed (results store, else Redis history)',
  usage,
  async run(argv) {
    const args = parseCommandLine(() => parse(argv));
    try {
      const env = readEnv();
      if (env.RESULTS_DATABASE_URL) return await fromResultsStore(env.RESULTS_DATABASE_URL, env, args);
      if (env.REDIS_URL) return await fromRedisHistory(env, args);
      throw new EnvError(
        'history reads the results store (RESULTS_DATABASE_URL) or the run history the workers keep in Redis ' +
          '(REDIS_URL); neither is set: export RESULTS_DATABASE_URL=postgres://… (the database `run` and the worker write to)',
      );
    } catch (error) {
      return reportFailure('history', error);
    }
  },
};

async function fromResultsStore(url: string, env: Env, args: HistoryArgs): Promise<number> {
  registerResultsSecret(url);
  const where = nameResultsStore(url, env.RESULTS_SCHEMA);
  const client = await connectResults(url, {}, () => undefined).catch((error: unknown) => {
    throw new Error(`${where}: ${describeResultsError(error)}`);
  });
  try {
    const reader = new ResultsReader(client, env.RESULTS_SCHEMA);
    const detail = args.runId !== undefined || args.changes || args.problems;
    if (!(await reader.exists())) {
      if (args.runId !== undefined) return notFound(args, where);
      return print(args, noRuns(args.mapping, where), { source: 'results-store', runs: [] });
    }
    if (!detail) {
      const runs = await reader.recentRuns(args.mapping, args.limit ?? 10);
      return print(args, formatRunList(args.mapping, where, runs), { source: 'results-store', runs });
    }
    const run = await reader.findRun(args.mapping, args.runId);
    if (!run && args.runId !== undefined) return notFound(args, where);
    if (!run)
      return print(args, noRuns(args.mapping, where, 'finished '), { source: 'results-store', runs: [] });
    const limit = args.limit ?? 50;
    const changes = args.changes ? await reader.changes(run.runId, args.offset, limit) : undefined;
    const problems = args.problems ? await reader.problems(run.runId, args.offset, limit) : undefined;
    const text = [
      changes || problems ? `${args.mapping}: ${formatRunLine(run)}` : formatRunDetail(run),
      ...(changes ? [formatChanges(changes, run.dryRun)] : []),
      ...(problems ? [formatProblems(problems)] : []),
    ].join('\n');
    return print(args, text, {
      source: 'results-store',
      run,
      ...(changes ? { changes } : {}),
      ...(problems ? { problems } : {}),
    });
  } catch (error) {
    throw new Error(`${where}: ${describeResultsError(error)}`);
  } finally {
    await closeResults(client);
  }
}

async function fromRedisHistory(env: Env, args: HistoryArgs): Promise<number> {
  const where = `run history in Redis (${env.QUEUE_PREFIX})`;
  const note =
    `  from the Redis history: counts, problems and the first ${historyChangeSample} changes of each run; ` +
    'the results store (RESULTS_DATABASE_URL) keeps every change';
  const detail = args.runId !== undefined || args.changes || args.problems;
  const reports = await readRedisHistory(
    env,
    args.mapping,
    detail ? env.HISTORY_RETENTION : (args.limit ?? 10),
  );
  if (!detail) {
    const runs = reports.map(storedRunFromReport);
    return print(args, `${formatRunList(args.mapping, where, runs)}\n${note}`, {
      source: 'redis-history',
      runs,
    });
  }
  const report = args.runId === undefined ? reports[0] : reports.find((r) => r.runId === args.runId);
  if (!report && args.runId !== undefined) return notFound(args, where);
  if (!report) return print(args, noRuns(args.mapping, where), { source: 'redis-history', runs: [] });
  const run = storedRunFromReport(report);
  const limit = args.limit ?? 50;
  const changes = args.changes ? reportChangesPage(report, args.offset, limit) : undefined;
  const problems = args.problems ? reportProblemsPage(report, args.offset, limit) : undefined;
  const text = [
    changes || problems ? `${args.mapping}: ${formatRunLine(run)}` : formatRunDetail(run),
    ...(changes
      ? [formatChanges(changes, run.dryRun), ...omissionLine(omittedChanges(report), 'changes')]
      : []),
    ...(problems ? [formatProblems(problems), ...omissionLine(omittedProblems(report), 'problems')] : []),
    note,
  ].join('\n');
  return print(args, text, {
    source: 'redis-history',
    run,
    ...(changes ? { changes } : {}),
    ...(problems ? { problems } : {}),
  });
}

function omissionLine(omission: Omission | undefined, what: 'changes' | 'problems'): string[] {
  if (!omission) return [];
  const holder = what === 'changes' ? 'the Redis history keeps' : 'the report keeps';
  return [
    `  ${holder} the first ${omission.kept} of this run’s ${omission.total} ${what}; ` +
      'the results store (RESULTS_DATABASE_URL) keeps them all',
  ];
}

/** The one place `history` touches Redis: the newest `limit` reports of `mapping`. */
async function readRedisHistory(env: Env, mapping: string, limit: number) {
  // Fails within seconds, in one line naming REDIS_URL, when Redis does not answer.
  const connection = await connectRedisForCommand(env, 'history');
  try {
    const history = new HistoryStore(connection, env.QUEUE_PREFIX, env.HISTORY_RETENTION);
    return (await history.recent(mapping, limit)).map((entry) => entry.report);
  } finally {
    connection.disconnect();
  }
}

function noRuns(mapping: string, where: string, kind = ''): string {
  return `${mapping}: no ${kind}runs recorded in the ${where} yet`;
}

function notFound(args: HistoryArgs, where: string): number {
  process.stderr.write(
    `affinity-sync history: no run ${args.runId} of mapping "${args.mapping}" in the ${where}; ` +
      `\`affinity-sync history ${args.mapping}\` lists its recent runs and their ids\n`,
  );
  return 1;
}

function print(args: HistoryArgs, text: string, json: Record<string, unknown>): number {
  process.stdout.write(
    args.json ? `${JSON.stringify({ mapping: args.mapping, ...json }, null, 2)}\n` : `${text}\n`,
  );
  return 0;
}

function parse(argv: string[]): HistoryArgs {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      changes: { type: 'boolean', default: false },
      problems: { type: 'boolean', default: false },
      limit: { type: 'string' },
      offset: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [mapping, ...extra] = positionals;
  if (!mapping) throw new Error('name a mapping (its `name:`), e.g. affinity-sync history portfolio-metrics');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  return {
    mapping,
    ...(values.run === undefined ? {} : { runId: values.run }),
    changes: values.changes ?? false,
    problems: values.problems ?? false,
    ...(values.limit === undefined ? {} : { limit: whole('--limit', values.limit, 1) }),
    offset: values.offset === undefined ? 0 : whole('--offset', values.offset, 0),
    json: values.json ?? false,
  };
}

function whole(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${flag} must be a whole number of ${min} or more`);
  return value;
}
