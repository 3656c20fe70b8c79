import type { BenchContext } from './bench-context.js';
import type { ChildRunResult } from './child-run.js';
import { expectedChanged } from './dataset.js';
import { checked, context, formatInt, formatSeconds, type ScenarioResult } from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/** Peak RSS target, bytes. */
const rssTarget = 400 * 1024 * 1024;

/**
 * S4: 1,000,000 Postgres rows against a list of 100,000 entries, dry run, in a child process;
 * the simulator answers without latency or a meaningful limit so the figure is local cost.
 */
export async function throughputScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const entries = ctx.size(100_000);
  const rows = ctx.size(1_000_000);
  const changedEvery = 20;
  ctx.say(`S4: ${rows} rows against ${entries} entries, dry run`);
  const warehouse = await ctx.warehouse(rows, changedEvery);
  const limit = 10_000_000;
  const windowSeconds = 60;
  const sim = await ctx.simulator({ entries, limit, windowSeconds, latency: false });
  const file = await ctx.mapping({ name: 'bench-throughput', url: warehouse.url, table: warehouse.table });
  const [run] = (await runChildren(
    childConfigs(ctx, sim, [file], { limit, windowSeconds, dryRun: true }),
  )) as [ChildRunResult];
  const { report } = run;
  // Reading phase: from the last scanned page to the start of the (empty) write phase — streaming,
  // matching, converting and the diff; the whole run adds field reads, describe() and the scan.
  const readFrom = run.phasesLastSeen.scanning ?? run.startedAt;
  const readTo = run.phases.writing ?? run.finishedAt;
  const readMs = readTo - readFrom;
  const scanMs = readFrom - (run.phases.scanning ?? run.startedAt);
  const readRate = report.rows.read / (readMs / 1000);
  const wholeRate = report.rows.read / (report.durationMs / 1000);
  const rssMb = run.maxRssBytes / 1024 / 1024;
  const expected = expectedChanged(entries, rows, changedEvery);
  return {
    id: 'S4',
    title: 'local throughput',
    measures:
      `${formatInt(rows)} warehouse rows (Postgres) against a list of ${formatInt(entries)} entries, as a dry run in its own process ` +
      '(bench/child-run.ts); the simulator runs in the parent with no latency and no effective limit. ' +
      `Rows ${formatInt(entries)}+ match no entry (tried by id, then by normalized domain). ` +
      "Rows per second over the reading phase (stream, match, convert, diff) and over the whole run; peak RSS is the child's maxRSS.",
    figures: [
      context(
        'rows read / matched / unmatched',
        `${formatInt(report.rows.read)} / ${formatInt(report.rows.matched)} / ${formatInt(report.rows.unmatched)}`,
        report.rows.read,
      ),
      context(
        'entries that would change',
        `${formatInt(report.entries.updated)} (expected ${formatInt(expected)})`,
        report.entries.updated,
      ),
      checked(
        'rows per second, reading phase',
        `${formatInt(readRate)} rows/s (${formatSeconds(readMs)})`,
        readRate,
        '≥ 20,000 rows/s',
        readRate >= 20_000,
      ),
      context(
        'rows per second, whole run',
        `${formatInt(wholeRate)} rows/s (${formatSeconds(report.durationMs)}; list scan ${formatSeconds(scanMs)})`,
        wholeRate,
      ),
      checked(
        'peak RSS of the sync process',
        `${rssMb.toFixed(0)} MB`,
        rssMb,
        '≤ 400 MB',
        run.maxRssBytes <= rssTarget,
      ),
      context(
        'CPU user / system',
        `${formatSeconds(run.cpuUserMs)} / ${formatSeconds(run.cpuSystemMs)}`,
        run.cpuUserMs,
      ),
    ],
    raw: { entries, rows, changedEvery, readMs, scanMs, run },
  };
}
