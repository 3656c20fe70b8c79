import { buildReport, type RunMode, type RunReport } from '../sync/report.js';
import { emptyTally } from '../sync/tally.js';

/**
 * The report of a run that ended before the engine could produce one (unknown mapping, bad
 * configuration, a crash): zero counts, status failed, the reason in `error`.
 */
export function failureReport(options: {
  mapping: string;
  runId: string;
  mode: RunMode;
  startedAt: number;
  error: string;
}): RunReport {
  return buildReport({ ...options, dryRun: false, tally: emptyTally() });
}
