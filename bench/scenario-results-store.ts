import pg from 'pg';
import type { BenchContext } from './bench-context.js';
import type { ChildRunResult } from './child-run.js';
import { checked, context, formatInt, formatSeconds, type ScenarioResult } from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/**
 * S1r: S1 twice in one benchmark run, first without and then with RESULTS_DATABASE_URL set (a
 * fresh simulator each time, the same warehouse): what the results store costs in wall time and
 * calls. The store's last rows are written before each run's clock stops.
 */
export async function resultsStoreScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const entries = ctx.size(10_000);
  const changedEvery = 20;
  const windowSeconds = ctx.options.nightlyWindowSeconds;
  const limit = 900;
  ctx.say(`S1r: S1 (${entries} entries, 5% changed) without, then with the results store`);
  const warehouse = await ctx.warehouse(entries, changedEvery);
  const schema = `bench_results_${Date.now().toString(36)}`;
  ctx.cleanup.add(`drop schema ${schema}`, () => dropSchema(ctx.options.databaseUrl, schema));
  const file = await ctx.mapping({ name: 'bench-results', url: warehouse.url, table: warehouse.table });

  const runOnce = async (withStore: boolean): Promise<ChildRunResult> => {
    const sim = await ctx.simulator({ entries, limit, windowSeconds });
    const [config] = childConfigs(ctx, sim, [file], { limit, windowSeconds });
    const configs = withStore
      ? [{ ...config!, results: { databaseUrl: ctx.options.databaseUrl, schema } }]
      : [config!];
    const [run] = await runChildren(configs);
    return run!;
  };
  const without = await runOnce(false);
  const withStore = await runOnce(true);
  const stored = await storedChanges(ctx.options.databaseUrl, schema, withStore.report.runId);

  const wall = (r: ChildRunResult) => r.finishedAt - r.startedAt;
  const ratio = wall(withStore) / wall(without);
  const sameCalls = withStore.report.calls.total === without.report.calls.total;
  return {
    id: 'S1r',
    title: 'nightly with the results store',
    measures:
      `S1 run twice in one benchmark run (fresh simulator each, same warehouse): RESULTS_DATABASE_URL unset, then set ` +
      `(local PostgreSQL, schema ${schema}). Wall time from the run's start to its last stored row.`,
    figures: [
      context(
        'calls without / with the store',
        `${formatInt(without.report.calls.total)} / ${formatInt(withStore.report.calls.total)}`,
        withStore.report.calls.total,
      ),
      context(
        'changes stored (report: changes)',
        `${formatInt(stored)} (${formatInt(withStore.report.changesCount)})`,
        stored,
      ),
      context(
        'wall time without / with',
        `${formatSeconds(wall(without))} / ${formatSeconds(wall(withStore))}`,
        wall(withStore),
      ),
      checked(
        'wall-time ratio with / without, same calls',
        `${ratio.toFixed(3)}${sameCalls ? ', same calls' : ', calls differ'}`,
        ratio,
        '≤ 1.05 and the same call count',
        ratio <= 1.05 && sameCalls && stored === withStore.report.changesCount,
      ),
    ],
    raw: { entries, changedEvery, without, withStore, stored },
  };
}

async function storedChanges(url: string, schema: string, runId: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from "${schema}".changes where run_id = $1`,
      [runId],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
