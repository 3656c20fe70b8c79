import { parseArgs } from 'node:util';
import { readEnv } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { loadMappingsDir } from '../../mappings/load-mapping.js';
import { openRunSink } from '../../results/open-run-sink.js';
import { executeRun } from '../../sync/execute-run.js';
import { exitCodeOf } from '../../sync/report.js';
import { formatSummary } from '../../sync/summary.js';
import { type Command, parseCommandLine } from '../command.js';
import { reportFailure } from '../report-failure.js';

const usage = `Usage: affinity-sync run-all [--dry-run]

Runs every mapping in MAPPINGS_DIR once, in sequence — the entry point of a nightly container job
(Kubernetes CronJob, ECS scheduled task). Exit code 1 if any run was partial or failed, 2 if a
mapping is invalid (nothing is sent then).`;

export const command: Command = {
  name: 'run-all',
  summary: 'Run every mapping once, in sequence (nightly container job)',
  usage,
  async run(argv) {
    const { values } = parseCommandLine(() =>
      parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } } }),
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
