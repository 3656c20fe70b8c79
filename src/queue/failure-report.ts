import type { RunReport } from '../sync/report.js';

/**
 * The report of a run that ended before the engine could produce one (unknown mapping, bad
 * configuration, a crash): zero counts, status failed, the reason in `error`.
 */
export function failureReport(options: {
  mapping: string;
  runId: string;
  mode: 'diff' | 'overwrite';
  startedAt: number;
  error: string;
}): RunReport {
  const finishedAt = Date.now();
  return {
    mapping: options.mapping,
    runId: options.runId,
    mode: options.mode,
    dryRun: false,
    startedAt: new Date(options.startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - options.startedAt,
    status: 'failed',
    error: options.error,
    rows: { read: 0, matched: 0, unmatched: 0, ambiguous: 0, duplicate: 0, rejected: 0 },
    entries: { updated: 0, unchanged: 0, failed: 0 },
    fields: { written: 0, unchanged: 0, rejected: 0 },
    calls: { total: 0, read: 0, write: 0, retried: 0, rateLimited: 0 },
    limiterWaitMs: 0,
    problems: [],
    problemsOmitted: 0,
  };
}
