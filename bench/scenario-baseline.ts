import pg from 'pg';
import type { Row } from '../src/sources/source.js';
import type { FieldTarget } from '../src/sync/convert-value.js';
import type { BenchContext } from './bench-context.js';
import { benchListId, stageNames } from './dataset.js';
import { naiveSync } from './naive-sync.js';
import { checked, context, formatInt, formatSeconds, type ScenarioResult } from './results.js';
import type { NightlyOutcome } from './scenario-nightly.js';

/** The fields of the bench mapping as the naive script hard-codes them. */
const naiveFields: Array<{ column: string; target: FieldTarget }> = [
  { column: 'arr', target: { fieldId: 'field-101', fieldName: 'ARR', valueType: 'number' } },
  { column: 'headcount', target: { fieldId: 'field-102', fieldName: 'Headcount', valueType: 'number' } },
  { column: 'notes', target: { fieldId: 'field-103', fieldName: 'Sector Notes', valueType: 'text' } },
  {
    column: 'stage',
    target: {
      fieldId: 'field-104',
      fieldName: 'Stage',
      valueType: 'dropdown',
      dropdownOptions: stageNames.map((text, i) => ({ id: 10401 + i, text, rank: null, color: null })),
    },
  },
  {
    column: 'last_funding',
    target: { fieldId: 'field-106', fieldName: 'Last Funding Date', valueType: 'datetime' },
  },
];

/**
 * The naive script on S1's data and window. With --naive-sample N it sends the first N rows and
 * extrapolates writes and write time linearly to the whole table (the scan is always complete).
 */
export async function baselineScenario(
  ctx: BenchContext,
  nightly: NightlyOutcome | undefined,
): Promise<ScenarioResult> {
  const entries = ctx.size(10_000);
  const rows = entries;
  const windowSeconds = ctx.options.nightlyWindowSeconds;
  const limit = 900;
  const sample = ctx.options.naiveSample === null ? rows : Math.min(ctx.options.naiveSample, rows);
  const extrapolated = sample < rows;
  ctx.say(
    `baseline: naive script, ${extrapolated ? `${sample} of ${rows} rows, extrapolated` : `${rows} rows`}`,
  );
  const warehouse = await ctx.warehouse(rows, 20);
  const sim = await ctx.simulator({ entries, limit, windowSeconds });

  const client = new pg.Client({ connectionString: warehouse.url });
  await client.connect();
  let sourceRows: Row[];
  try {
    const result = await client.query<Row>(
      `select company_id, arr, headcount, notes, stage, to_char(last_funding, 'YYYY-MM-DD') as last_funding
       from ${warehouse.table} order by company_id limit ${sample}`,
    );
    sourceRows = result.rows;
  } finally {
    await client.end();
  }

  const run = await naiveSync({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    listId: benchListId,
    rows: sourceRows,
    entityColumn: 'company_id',
    fields: naiveFields,
  });
  const factor = rows / sample;
  const writes = run.writes * factor;
  const calls = run.reads + writes;
  const durationMs = run.scanMs + run.writeMs * factor;
  const note = extrapolated
    ? ` (extrapolated ×${factor.toFixed(1)} from ${formatInt(sample)} rows sent)`
    : '';
  const figures = [
    context('API reads', formatInt(run.reads), run.reads),
    context(
      `API writes (PATCH)${extrapolated ? ', extrapolated' : ''}`,
      `${formatInt(writes)}${note}`,
      writes,
    ),
    context('429s', formatInt(run.rateLimited), run.rateLimited),
    context(
      `wall time${extrapolated ? ', extrapolated' : ''}`,
      `${formatSeconds(durationMs)}${note}`,
      durationMs,
    ),
  ];
  if (nightly) {
    const callRatio = calls / nightly.calls;
    const timeRatio = durationMs / nightly.durationMs;
    figures.push(
      context(
        'calls, naive ÷ ours (S1)',
        `${callRatio.toFixed(1)}× (${formatInt(calls)} vs ${formatInt(nightly.calls)})`,
        callRatio,
      ),
      checked(
        'wall time, naive ÷ ours (S1)',
        `${timeRatio.toFixed(1)}× (${formatSeconds(durationMs)} vs ${formatSeconds(nightly.durationMs)})`,
        timeRatio,
        'S1 ≥ 10× faster',
        timeRatio >= 10,
      ),
    );
  }
  return {
    id: 'baseline',
    title: 'naive script on S1',
    measures:
      "The scheduled script of Affinity's guide (bench/naive-sync.ts): one scan of the list for entry ids, then one PATCH per row with every field, " +
      `one request at a time, no diff, no pacing but waiting out a 429; S1's data, window and latency.` +
      (extrapolated
        ? ` This run sent the first ${formatInt(sample)} rows and extrapolated writes and write time linearly to ${formatInt(rows)}; \`--naive-sample\` left out runs every row.`
        : ' Every row was sent (no extrapolation).'),
    figures,
    raw: {
      entries,
      rows,
      sample,
      extrapolated,
      run,
      simulator: { ...sim.stats(), patches: undefined, writesPerEntry: undefined },
    },
  };
}
