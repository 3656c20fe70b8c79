import type { BenchContext } from './bench-context.js';
import { expectedChanged } from './dataset.js';
import { RequestSampler } from './request-sampler.js';
import { checked, context, formatInt, formatPercent, formatSeconds, type ScenarioResult } from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/**
 * S2 (one process, in-process limiter) and S3 (three processes sharing the Redis limiter, a third
 * of the rows each): 10,000 entries, every one changed, against a scaled window. Achieved rate =
 * requests ÷ (elapsed ÷ window) ÷ limit.
 */
export async function backfillScenario(ctx: BenchContext, workers: 1 | 3): Promise<ScenarioResult> {
  const id = workers === 1 ? 'S2' : 'S3';
  const entries = ctx.size(10_000);
  const rows = entries;
  const { limit, windowSeconds } = ctx.options;
  const windowMs = windowSeconds * 1000;
  ctx.say(`${id}: ${entries} entries all changed, ${workers} process(es), window ${limit}/${windowSeconds}s`);
  const warehouse = await ctx.warehouse(rows, 1);
  const sim = await ctx.simulator({ entries, limit, windowSeconds });
  const files: string[] = [];
  for (let k = 0; k < workers; k++) {
    files.push(
      await ctx.mapping({
        name: `bench-${id.toLowerCase()}-${k}`,
        url: warehouse.url,
        table: warehouse.table,
        ...(workers > 1 ? { where: `company_id % ${workers} = ${k}` } : {}),
      }),
    );
  }
  const configs = childConfigs(ctx, sim, files, { limit, windowSeconds, sharedLimiter: workers > 1 });
  const sampler = new RequestSampler(sim, 200);
  sampler.start();
  let runs: Awaited<ReturnType<typeof runChildren>>;
  try {
    runs = await runChildren(configs);
  } finally {
    sampler.stop();
  }
  const stats = sim.stats();

  const busy = sampler.busySpan();
  const busyMs = busy.to - busy.from;
  const wholeFraction = busy.requests / (busyMs / windowMs) / limit;
  const writes = runs.reduce((n, r) => n + r.report.calls.write, 0);
  const reads = runs.reduce((n, r) => n + r.report.calls.read, 0);
  const writeFrom = Math.min(...runs.map((r) => r.phases.writing ?? r.finishedAt));
  const writeTo = Math.max(...runs.map((r) => r.finishedAt));
  const writeFraction = writes / ((writeTo - writeFrom) / windowMs) / limit;
  const perMinute = stats.rateLimited / (busyMs / 60_000);
  const updated = runs.reduce((n, r) => n + r.report.entries.updated, 0);
  const expected = expectedChanged(entries, rows, 1);
  const written = Object.keys(stats.writesPerEntry).length;
  const sliding = sampler.maxInSlidingWindow(windowMs);

  return {
    id,
    title: workers === 1 ? 'backfill, one process' : 'backfill, three processes',
    measures:
      `${formatInt(entries)} entries, every one changed, simulator window ${limit} requests per ${windowSeconds} s ` +
      `(Affinity's 900 per 60 s scaled ${(60 / windowSeconds).toFixed(1)}× faster; rates are fractions of the window) with ${ctx.latencyText()}. ` +
      (workers === 1
        ? 'One `run` process with the in-process limiter. '
        : 'Three processes (a third of the rows each, `company_id % 3 = k`) on one API key sharing the Redis limiter; each scans the whole list. ') +
      'Whole run: simulator requests from the first to the last ÷ elapsed windows ÷ limit (includes the list scan, which is latency-bound: pages follow one another). ' +
      'Write phase: PATCHes from the first process entering its write phase to the last finishing. 429s per minute of wall time.',
    figures: [
      context(
        'requests (reads + writes)',
        `${formatInt(stats.totalRequests)} (${formatInt(reads)} + ${formatInt(writes)})`,
        stats.totalRequests,
      ),
      context(
        'entries updated / written by the simulator',
        `${formatInt(updated)} / ${formatInt(written)} (expected ${formatInt(expected)})`,
        updated,
      ),
      checked(
        'achieved rate, write phase',
        formatPercent(writeFraction),
        writeFraction,
        '≥ 90% of the limit',
        writeFraction >= 0.9,
      ),
      checked(
        'achieved rate, whole run',
        formatPercent(wholeFraction),
        wholeFraction,
        '≥ 90% of the limit',
        wholeFraction >= 0.9,
      ),
      context(
        'most in one simulator window / in any sliding window',
        `${formatPercent(stats.maxInWindow / limit)} / ${formatPercent(sliding / limit)}`,
        stats.maxInWindow / limit,
      ),
      checked(
        '429s (per minute of run)',
        `${stats.rateLimited} (${perMinute.toFixed(2)}/min)`,
        stats.rateLimited,
        '≤ 1 per minute',
        perMinute <= 1,
      ),
      context('wall time', formatSeconds(busyMs), busyMs),
    ],
    raw: {
      entries,
      rows,
      workers,
      limit,
      windowSeconds,
      busy,
      writeSpan: { from: writeFrom, to: writeTo },
      runs,
      simulator: { ...stats, patches: undefined, writesPerEntry: undefined },
    },
  };
}
