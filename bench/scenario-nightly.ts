import type { BenchContext } from './bench-context.js';
import type { ChildRunResult } from './child-run.js';
import { expectedChanged } from './dataset.js';
import { checked, context, formatInt, formatSeconds, type ScenarioResult } from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/** What S1 hands to the baseline for its ratios. */
export interface NightlyOutcome {
  result: ScenarioResult;
  calls: number;
  durationMs: number;
}

/**
 * S1: 10,000 entries, 10,000 rows, 5% changed; calls against the floor ceil(N/100) + changed, and
 * against the forecast of a separate dry run.
 */
export async function nightlyScenario(ctx: BenchContext): Promise<NightlyOutcome> {
  const entries = ctx.size(10_000);
  const rows = entries;
  const changedEvery = 20;
  const windowSeconds = ctx.options.nightlyWindowSeconds;
  const limit = 900;
  ctx.say(`S1 nightly: ${entries} entries, ${rows} rows, 5% changed, window ${limit}/${windowSeconds}s`);
  const warehouse = await ctx.warehouse(rows, changedEvery);
  const sim = await ctx.simulator({ entries, limit, windowSeconds });
  const file = await ctx.mapping({ name: 'bench-nightly', url: warehouse.url, table: warehouse.table });
  // The quota forecast (issue 15.3) from a dry run of its own; the simulator is then reset (a dry
  // run writes nothing), so the measured run's calls, window and stats are as without it.
  const [dry] = await runChildren(childConfigs(ctx, sim, [file], { limit, windowSeconds, dryRun: true }));
  const forecast = (dry as ChildRunResult).report.forecast;
  sim.reset();
  const [run] = await runChildren(childConfigs(ctx, sim, [file], { limit, windowSeconds }));
  const { report } = run as ChildRunResult;
  const stats = sim.stats();
  const forecastTotal = forecast?.total ?? 0;
  const forecastOff = forecastTotal === 0 ? 1 : (report.calls.total - forecastTotal) / forecastTotal;

  const changed = report.entries.updated;
  const expected = expectedChanged(entries, rows, changedEvery);
  const ideal = Math.ceil(entries / 100) + changed;
  const calls = report.calls.total;
  const writtenEntries = Object.keys(stats.writesPerEntry).length;
  const phases = run!.phases;
  const scanMs = (phases.reading ?? phases.writing ?? run!.finishedAt) - (phases.scanning ?? run!.startedAt);
  const writeMs = run!.finishedAt - (phases.writing ?? run!.finishedAt);
  const result: ScenarioResult = {
    id: 'S1',
    title: 'nightly',
    measures:
      `A list of ${formatInt(entries)} companies and ${formatInt(rows)} warehouse rows (Postgres), ${formatInt(expected)} (5%) with a changed value; ` +
      `simulator at ${limit} requests per ${windowSeconds} s with ${ctx.latencyText()}. ` +
      "Calls are the client's own count (retries included) and the simulator's; the floor is one read per 100 entries plus one PATCH per changed entry.",
    figures: [
      context('API reads', formatInt(report.calls.read), report.calls.read),
      context('API writes (PATCH)', formatInt(report.calls.write), report.calls.write),
      context(
        'entries changed / written by the simulator',
        `${formatInt(changed)} / ${formatInt(writtenEntries)} (expected ${formatInt(expected)})`,
        changed,
      ),
      checked(
        'calls vs ideal ceil(N/100) + changed',
        `${formatInt(calls)} vs ${formatInt(ideal)} (+${calls - ideal})`,
        calls,
        '≤ ideal + 5',
        calls <= ideal + 5 && changed === expected && writtenEntries === expected,
      ),
      checked(
        'dry-run forecast vs calls',
        `${formatInt(forecastTotal)} (${formatInt(forecast?.reads ?? 0)} read, ${formatInt(forecast?.writes ?? 0)} write) vs ${formatInt(calls)} (${(forecastOff * 100).toFixed(2)}%)`,
        forecastTotal,
        'within ±1%',
        Math.abs(forecastOff) <= 0.01,
      ),
      context(
        'calls per changed entry',
        (calls / Math.max(changed, 1)).toFixed(3),
        calls / Math.max(changed, 1),
      ),
      context(
        '429s / retries',
        `${report.calls.rateLimited} / ${report.calls.retried}`,
        report.calls.rateLimited,
      ),
      context(
        'wall time (scan / write phase)',
        `${formatSeconds(report.durationMs)} (${formatSeconds(scanMs)} / ${formatSeconds(writeMs)})`,
        report.durationMs,
      ),
    ],
    raw: {
      entries,
      rows,
      changedEvery,
      ideal,
      run,
      forecast,
      simulator: { ...stats, patches: undefined, writesPerEntry: undefined },
    },
  };
  return { result, calls, durationMs: report.durationMs };
}
