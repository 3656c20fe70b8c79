import type { BenchContext } from './bench-context.js';
import { RequestSampler } from './request-sampler.js';
import {
  checked,
  context,
  type Figure,
  formatInt,
  formatPercent,
  formatSeconds,
  type ScenarioResult,
} from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/** The windows of issue 15: a short one and Affinity's minute with a lowered limit. */
const windows = [
  { limit: 40, windowSeconds: 5, entries: 300 },
  { limit: 120, windowSeconds: 60, entries: 300 },
] as const;

/**
 * S6: one write-heavy `run` (every entry changed, in-process limiter) per window, with the limiter
 * told neither the limit nor the window: it must learn both from the headers. Achieved rate =
 * requests ÷ (elapsed ÷ window) ÷ limit over the whole run.
 */
export async function learnedWindowScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const figures: Figure[] = [];
  const raw: unknown[] = [];
  for (const window of windows) {
    const entries = ctx.size(window.entries);
    const label = `${window.limit} per ${window.windowSeconds} s`;
    ctx.say(`S6: ${entries} entries all changed, window ${label} learned from the headers`);
    const warehouse = await ctx.warehouse(entries, 1);
    const sim = await ctx.simulator({ entries, limit: window.limit, windowSeconds: window.windowSeconds });
    const file = await ctx.mapping({
      name: `bench-s5-${window.windowSeconds}s`,
      url: warehouse.url,
      table: warehouse.table,
    });
    const configs = childConfigs(ctx, sim, [file], { ...window, learnWindow: true });
    const sampler = new RequestSampler(sim, 100);
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
    const fraction = busy.requests / (busyMs / (window.windowSeconds * 1000)) / window.limit;
    figures.push(
      context(
        `${label}: requests (reads + writes)`,
        `${formatInt(stats.totalRequests)} (${formatInt(runs[0]!.report.calls.read)} + ${formatInt(runs[0]!.report.calls.write)})`,
        stats.totalRequests,
      ),
      checked(
        `${label}: achieved rate, whole run`,
        formatPercent(fraction),
        fraction,
        '≥ 90% of the limit',
        fraction >= 0.9,
      ),
      checked(`${label}: 429s`, String(stats.rateLimited), stats.rateLimited, '≤ 1', stats.rateLimited <= 1),
      context(
        `${label}: most in one simulator window / wall time`,
        `${formatPercent(stats.maxInWindow / window.limit)} / ${formatSeconds(busyMs)}`,
        stats.maxInWindow / window.limit,
      ),
    );
    raw.push({
      ...window,
      entries,
      busy,
      runs,
      simulator: { ...stats, patches: undefined, writesPerEntry: undefined },
    });
  }
  return {
    id: 'S6',
    title: 'window learned from the headers',
    measures:
      `One process, in-process limiter, every entry changed, ${ctx.latencyText()}, against simulator windows of ` +
      `${windows.map((w) => `${w.limit} requests per ${w.windowSeconds} s`).join(' and ')}; the limiter is told ` +
      'neither limit nor window (as `affinity-sync run` without RATE_LIMIT_WINDOW_SECONDS) and learns them from ' +
      '`x-ratelimit-limit-user` and `-reset`. Whole run: simulator requests from the first to the last ÷ elapsed windows ÷ limit.',
    figures,
    raw,
  };
}
