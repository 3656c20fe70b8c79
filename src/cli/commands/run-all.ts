import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { loadMappingsDir } from '../../mappings/load-mapping.js';
import { openRunSink } from '../../results/open-run-sink.js';
import { executeRun } from '../../sync/execute-run.js';
import { exitCodeOf } from '../../sync/report.js';
import { formatSummary } from '../../sync/summary.js';
import { type Command, parseCommandLine } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync run-all [--dry-run]

Runs every mapping in MAPPINGS_DIR once, in sequence — the entry point of a nightly container job
(Kubernetes CronJob, ECS scheduled task). The mappings' own schedules are ignored.

Options:
  --dry-run   do everything but the writes

Environment: AFFINITY_API_KEY (required), AFFINITY_BASE_URL, MAPPINGS_DIR, REDIS_URL (shared limiter;
unset: in-process), SYNC_CONCURRENCY, RATE_LIMIT_MARGIN, QUOTA_RESERVE, QUEUE_PREFIX, LOG_LEVEL; and
the variables the mappings read as \${NAME}.
Exit codes: 0 every run succeeded, 1 a run was partial or failed, 2 a mapping is invalid (nothing is
sent then).

Example (deploy/kubernetes/cronjob-run-all.yaml runs this every night):
  MAPPINGS_DIR=/app/mappings affinity-sync run-all`;

export const command: Command = {
  name: 'run-all',
  summary: 'Run every mapping once, in sequence (nightly container job)',
  usage,
  async run(argv) {
    const { values } = parseCommandLine(() =>
      parseOptions({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } } }),
    );
    const dryRun = values['dry-run'] ?? false;
    try {
      const env = readEnv();
      const logger = createLogger({ level: env.LOG_LEVEL });
      const mappings = await loadMappingsDir(env.MAPPINGS_DIR);
      let worst = 0;
      for (const loaded of mappings) {
        try {
          const report = await executeRun({ loaded, env, logger, dryRun, sink: openRunSink(env, logger) });
          process.stdout.write(`${formatSummary(report)}\n`);
          worst = Math.max(worst, exitCodeOf(report));
        } catch (error) {
          worst = Math.max(worst, reportFailure(`run-all (${loaded.mapping.name})`, error));
        }
      }
      process.stdout.write(`run-all: ${mappings.length} mapping(s), exit ${worst}\n`);
      return worst;
    } catch (error) {
      return reportFailure('run-all', error);
    }
  },
};
