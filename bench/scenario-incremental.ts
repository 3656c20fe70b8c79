import type { RunningSimulator } from '../src/simulator/server.js';
import type { BenchContext } from './bench-context.js';
import type { ChildRunResult } from './child-run.js';
import { benchListId, entryIdBase, expectedChanged } from './dataset.js';
import { checked, context, formatInt, formatSeconds, type ScenarioResult } from './results.js';
import { childConfigs, runChildren } from './run-child.js';

/** One live-vs-incremental comparison: list size, warehouse changes, edits made in Affinity. */
export interface IncrementalSpec {
  id: 'S1i' | 'S5';
  title: string;
  entries: number;
  /** Every n-th row changes (20 → 5%, 200 → 0.5%). */
  changedEvery: number;
  /** Entries someone else edits in Affinity between the runs (not among the changed ones). */
  edits: number;
  /** The calls an incremental run may spend, and the target in words. */
  target(counts: { changed: number; edited: number; feedPages: number }): { limit: number; text: string };
}

/** S1 on incremental: 10,000 entries, 5% changed; calls ≤ changed entries + 1%. */
export const nightlyIncremental: IncrementalSpec = {
  id: 'S1i',
  title: 'nightly, sync: incremental',
  entries: 10_000,
  changedEvery: 20,
  edits: 0,
  target: ({ changed }) => ({ limit: Math.floor(changed * 1.01), text: '≤ changed entries + 1%' }),
};

/** S5: 50,000 entries, 0.5% changed, 20 edits in Affinity; calls ≤ 1.1 × (changed + edited) + feed pages. */
export const largeIncremental: IncrementalSpec = {
  id: 'S5',
  title: 'large list, sync: incremental',
  entries: 50_000,
  changedEvery: 200,
  edits: 20,
  target: ({ changed, edited, feedPages }) => ({
    limit: Math.floor(1.1 * (changed + edited)) + feedPages,
    text: '≤ 1.1 × (changed + edited) + feed pages',
  }),
};

const nightsPerMonth = 30;
const reconcilesPerMonth = nightsPerMonth / 7;

/** Entities someone edits: spread over the list, never one whose row changes anyway. */
function editedEntities(entries: number, edits: number, changedEvery: number): number[] {
  const picked = new Set<number>();
  for (let k = 0; k < edits; k++) {
    let i = 1 + Math.floor(((k + 0.5) * entries) / edits);
    while (i % changedEvery === 0 || picked.has(i)) i = (i % entries) + 1;
    picked.add(i);
  }
  return [...picked];
}

/** "A person" changes each entity's Sector Notes in Affinity: the sync must put the warehouse's back. */
function editInAffinity(sim: RunningSimulator, entities: readonly number[]): void {
  for (const [k, i] of entities.entries()) {
    sim.edit({
      listId: benchListId,
      listEntryId: entryIdBase + i,
      updates: [{ id: 'field-103', value: { type: 'text', data: `edited in Affinity ${k}` } }],
    });
  }
}

const entriesOf = (sim: RunningSimulator) => JSON.stringify(sim.state.dump().lists?.[0]?.entries);
const writtenIds = (sim: RunningSimulator) =>
  Object.keys(sim.stats().writesPerEntry)
    .map(Number)
    .sort((a, b) => a - b);

/**
 * The same night on two simulators holding the same list: a live run, and an incremental mapping
 * whose state a reconcile built the night before (on the warehouse as Affinity holds it). Both
 * runs see the same warehouse changes and the same edits in Affinity; both must end identical.
 */
export async function incrementalScenario(ctx: BenchContext, spec: IncrementalSpec): Promise<ScenarioResult> {
  const entries = ctx.size(spec.entries);
  const edits = spec.edits === 0 ? 0 : Math.min(ctx.size(spec.edits), entries);
  const [limit, windowSeconds] = [900, ctx.options.nightlyWindowSeconds];
  ctx.say(
    `${spec.id} ${spec.title}: ${entries} entries, every ${spec.changedEvery}th row changed, ${edits} edits in Affinity`,
  );
  const yesterday = await ctx.warehouse(entries, entries + 1);
  const today = await ctx.warehouse(entries, spec.changedEvery);
  const edited = editedEntities(entries, edits, spec.changedEvery);

  const liveSim = await ctx.simulator({ entries, limit, windowSeconds, trackChanges: true });
  editInAffinity(liveSim, edited);
  const liveFile = await ctx.mapping({
    name: `${spec.id.toLowerCase()}-live`,
    url: today.url,
    table: today.table,
  });
  const [live] = await runChildren(childConfigs(ctx, liveSim, [liveFile], { limit, windowSeconds }));

  const incSim = await ctx.simulator({ entries, limit, windowSeconds, trackChanges: true });
  const name = `${spec.id.toLowerCase()}-incremental`;
  const file = await ctx.mapping({ name, url: yesterday.url, table: yesterday.table, sync: 'incremental' });
  // One Redis prefix for both runs: the state the reconcile keeps is the one the next night reads.
  const configs = childConfigs(ctx, incSim, [file], { limit, windowSeconds, sharedLimiter: true });
  const [reconcile] = await runChildren(configs);
  editInAffinity(incSim, edited);
  await ctx.mapping({ name, url: today.url, table: today.table, sync: 'incremental' });
  const [incremental] = await runChildren(configs);
  return result(spec, {
    entries,
    edited,
    live: live!,
    reconcile: reconcile!,
    incremental: incremental!,
    liveSim,
    incSim,
  });
}

interface Runs {
  entries: number;
  edited: number[];
  live: ChildRunResult;
  reconcile: ChildRunResult;
  incremental: ChildRunResult;
  liveSim: RunningSimulator;
  incSim: RunningSimulator;
}

function result(spec: IncrementalSpec, runs: Runs): ScenarioResult {
  const { entries, live, reconcile, incremental } = runs;
  const changed = expectedChanged(entries, entries, spec.changedEvery);
  const sync = incremental.report.sync;
  const feedPages = sync?.feedPages ?? 0;
  const target = spec.target({ changed, edited: runs.edited.length, feedPages });
  const calls = incremental.report.calls.total;
  const liveCalls = live.report.calls.total;
  const needed = [
    ...Array.from(
      { length: Math.floor(entries / spec.changedEvery) },
      (_, k) => entryIdBase + (k + 1) * spec.changedEvery,
    ),
    ...runs.edited.map((i) => entryIdBase + i),
  ].sort((a, b) => a - b);
  const sameEnd =
    entriesOf(runs.incSim) === entriesOf(runs.liveSim) &&
    JSON.stringify(writtenIds(runs.liveSim)) === JSON.stringify(needed) &&
    JSON.stringify(writtenIds(runs.incSim)) === JSON.stringify(needed) &&
    Object.values(runs.incSim.stats().writesPerEntry).every((n) => n === 1);
  // A reconcile night costs a live run plus what deciding costs (whoami, change tracking).
  const reconcileExtra =
    (reconcile.report.sync?.readCalls ?? 0) - (reconcile.report.sync?.liveScanCalls ?? 0);
  const monthlyLive = nightsPerMonth * liveCalls;
  const monthlyIncremental = Math.round(
    (nightsPerMonth - reconcilesPerMonth) * calls + reconcilesPerMonth * (liveCalls + reconcileExtra),
  );
  return {
    id: spec.id,
    title: spec.title,
    measures:
      `${formatInt(entries)} entries, ${formatInt(changed)} rows changed in the warehouse, ${runs.edited.length} entries edited in Affinity by another user; ` +
      'a live run against an incremental run whose state the previous night’s reconcile built, on identical simulators (change tracking on). ' +
      `Monthly figures: ${nightsPerMonth} nightly runs; incremental reconciles every 7 days (${reconcilesPerMonth.toFixed(1)} a month, each a live run plus ${reconcileExtra} calls).`,
    figures: [
      context('live run: calls (scan + writes)', formatInt(liveCalls), liveCalls),
      checked(
        'incremental run: calls',
        `${formatInt(calls)} (limit ${formatInt(target.limit)}: ${formatInt(changed)} changed, ${runs.edited.length} edited, ${feedPages} feed pages)`,
        calls,
        target.text,
        calls <= target.limit,
      ),
      context(
        'incremental run: feed pages / entries flagged / re-read / rows skipped',
        `${feedPages} / ${sync?.entriesFlagged ?? 0} / ${sync?.entriesReread ?? 0} / ${formatInt(sync?.rowsSkipped ?? 0)}`,
        sync?.rowsSkipped ?? 0,
      ),
      context(
        'reconcile run (the night before): calls',
        formatInt(reconcile.report.calls.total),
        reconcile.report.calls.total,
      ),
      checked(
        'end state: incremental = live = warehouse, each needed entry written once',
        sameEnd ? 'yes' : 'no',
        sameEnd ? 1 : 0,
        'exact',
        sameEnd,
      ),
      context(
        'monthly calls, nightly: live / incremental',
        `${formatInt(monthlyLive)} / ${formatInt(monthlyIncremental)} (${((1 - monthlyIncremental / monthlyLive) * 100).toFixed(0)}% fewer)`,
        monthlyIncremental,
      ),
      context(
        'wall time: live / incremental',
        `${formatSeconds(live.report.durationMs)} / ${formatSeconds(incremental.report.durationMs)}`,
        incremental.report.durationMs,
      ),
    ],
    raw: {
      entries,
      changed,
      edited: runs.edited,
      live: live.report,
      reconcile: reconcile.report,
      incremental: incremental.report,
      monthly: { live: monthlyLive, incremental: monthlyIncremental },
    },
  };
}
