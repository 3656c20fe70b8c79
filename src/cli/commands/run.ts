import { writeFile } from 'node:fs/promises';
import { readEnv } from '../../config/env.js';
import { createLogger, type Logger, silentLogger } from '../../log/logger.js';
import { findMapping } from '../../mappings/load-mapping.js';
import { openRunSink } from '../../results/open-run-sink.js';
import { executeRun } from '../../sync/execute-run.js';
import { exitCodeOf } from '../../sync/report.js';
import { formatSummary } from '../../sync/summary.js';
import { type Command, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { progressReporter } from '../progress-reporter.js';
import { reportFailure } from '../report-failure.js';
import { checkReportPath } from '../report-path.js';

const usage = `Usage: affinity-sync run <mapping file | mapping name> [--dry-run] [--mode overwrite] [--full] [--report FILE] [--quiet]

Runs one mapping now: reads the source, matches rows to list entries, writes the changed values.

Options:
  --dry-run        do everything but the writes; show before → after per entry and field, and the
                   calls a real run would spend against the monthly allowance left
  --mode MODE      diff (send only changed values; default from the mapping) or overwrite
  --full           sync: incremental — read the whole list and rebuild the kept state (a reconcile)
  --report FILE    write the JSON report to FILE (checked writable before anything is sent)
  --quiet          no progress (the line on a terminal, the progress log lines otherwise)

Environment: AFFINITY_API_KEY (required), AFFINITY_BASE_URL, MAPPINGS_DIR, REDIS_URL (shared limiter;
unset: in-process), SYNC_CONCURRENCY, RATE_LIMIT_MARGIN, QUOTA_RESERVE, QUEUE_PREFIX, LOG_LEVEL; and
the variables the mapping reads as \${NAME}.
Exit codes: 0 succeeded, 1 partial or failed, 2 invalid mapping or configuration (nothing sent).

Example:
  affinity-sync run mappings/portfolio.yaml --dry-run`;

export const command: Command = {
  name: 'run',
  summary: 'Run one mapping now',
  usage,
  async run(argv) {
    const parsed = parseCommandLine(() => parse(argv));
    const { target, dryRun, mode, full, reportFile, quiet } = parsed;
    let logger: Logger = silentLogger;
    // On a terminal the logger writes through the progress line, so a log line never shares it.
    const progress = progressReporter({ stream: process.stderr, logger: () => logger, quiet });
    try {
      const env = readEnv();
      logger = createLogger({
        level: env.LOG_LEVEL,
        ...(progress.destination ? { destination: progress.destination } : {}),
      });
      const loaded = await findMapping(target, env.MAPPINGS_DIR);
      if (reportFile) await checkReportPath(reportFile);
      const report = await executeRun({
        loaded,
        env,
        logger,
        sink: openRunSink(env, logger),
        dryRun,
        ...(full ? { full } : {}),
        ...(mode ? { mode } : {}),
        onProgress: progress.update,
      });
      progress.finish();
      process.stdout.write(`${formatSummary(report)}\n`);
      if (reportFile) await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
      return exitCodeOf(report);
    } catch (error) {
      progress.finish();
      return reportFailure('run', error);
    }
  },
};

function parse(argv: string[]): {
  target: string;
  dryRun: boolean;
  full: boolean;
  mode?: 'diff' | 'overwrite';
  reportFile?: string;
  quiet: boolean;
} {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      mode: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const [target, ...extra] = positionals;
  if (!target) throw new Error('name a mapping file or a mapping name');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  const mode = values.mode;
  if (mode !== undefined && mode !== 'diff' && mode !== 'overwrite') {
    throw new Error(`--mode must be diff or overwrite, not "${mode}"`);
  }
  return {
    target,
    dryRun: values['dry-run'] ?? false,
    full: values.full ?? false,
    ...(mode ? { mode } : {}),
    ...(values.report ? { reportFile: values.report } : {}),
    quiet: values.quiet ?? false,
  };
}
