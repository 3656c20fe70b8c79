import { unmetExpectation } from '../expectations.js';
import { forecastWrites, quotaForecast, quotaShortfall } from '../quota-forecast.js';
import { failureText } from '../run-failure.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import type { EntryChanges } from './plan-rows.js';
import type { RunContext } from './run-context.js';

/** Warn when a run would spend more than this share of the monthly allowance left, by default. */
const defaultWarnShare = 0.2;

/**
 * Between planning and writing: the rows must meet the mapping's `expect:`, and the calls a real
 * run spends are forecast (reads so far + the planned PATCHes) against the monthly allowance. A
 * run told to (scheduled worker runs) stops here when its writes would cross the quota reserve,
 * rather than stopping half way.
 */
export function checkPlan(run: RunContext, writes: EntryChanges[]): PhaseOutcome<EntryChanges[]> {
  const unmet = unmetExpectation(run.mapping.expect, run.tally.rows);
  if (unmet !== undefined) return stop(named(run, unmet));
  const calls = run.callsSoFar();
  // Every call so far was a read; retries are not part of what a run needs.
  const reads = calls.total - calls.retried;
  const quota = run.options.quota;
  const allowance = run.allowance();
  const plannedWrites = forecastWrites(writes);
  const forecast = quotaForecast(
    { reads, writes: plannedWrites },
    allowance,
    quota?.warnShare ?? defaultWarnShare,
  );
  run.forecast = forecast;
  if (forecast.warning !== undefined) run.log.warn({ forecast }, `quota: ${forecast.warning}`);
  if (quota?.skipWhenShort && !run.dryRun) {
    const short = quotaShortfall(plannedWrites, allowance, quota.reserve);
    if (short !== undefined) {
      run.skipped = 'quota-reserve';
      return stop(named(run, short));
    }
  }
  return succeed(writes);
}

/** Always prefixed: failureText's "already named?" test would be fooled by a name like "empty". */
function named(run: RunContext, message: string): string {
  return failureText(`mapping "${run.mapping.name}": ${message}`, run.mapping.name);
}
