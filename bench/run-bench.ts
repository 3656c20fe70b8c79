import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext } from './bench-context.js';
import type { BenchOptions } from './bench-options.js';
import { type BenchResults, renderMarkdown, type ScenarioResult } from './results.js';
import { backfillScenario } from './scenario-backfill.js';
import { baselineScenario } from './scenario-baseline.js';
import { incrementalScenario, largeIncremental, nightlyIncremental } from './scenario-incremental.js';
import { learnedWindowScenario } from './scenario-learned-window.js';
import { type NightlyOutcome, nightlyScenario } from './scenario-nightly.js';
import { resultsStoreScenario } from './scenario-results-store.js';
import { throughputScenario } from './scenario-throughput.js';
import { killRunningChildren } from './spawn-runs.js';

/**
 * Runs the chosen scenarios one after another, each cleaning up after itself (schemas, Redis keys,
 * simulators, child processes, scratch files) even when it fails; writes results.md / .json when
 * `outDir` is set. A failing scenario fails the whole benchmark after cleanup.
 */
export async function runBench(
  options: BenchOptions,
  extra: { command: string; commit?: string | undefined; say?: (line: string) => void; signal?: AbortSignal },
): Promise<BenchResults> {
  const say = extra.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scenarios: ScenarioResult[] = [];
  let nightly: NightlyOutcome | undefined;
  for (const id of options.only) {
    if (extra.signal?.aborted) throw new Error('benchmark interrupted');
    const ctx = new BenchContext(options, say);
    const onAbort = () => killRunningChildren();
    extra.signal?.addEventListener('abort', onAbort);
    const started = Date.now();
    try {
      switch (id) {
        case 'S1':
          nightly = await nightlyScenario(ctx);
          scenarios.push(nightly.result);
          break;
        case 'baseline':
          scenarios.push(await baselineScenario(ctx, nightly));
          break;
        case 'S2':
          scenarios.push(await backfillScenario(ctx, 1));
          break;
        case 'S3':
          scenarios.push(await backfillScenario(ctx, 3));
          break;
        case 'S4':
          scenarios.push(await throughputScenario(ctx));
          break;
        case 'S1i':
          scenarios.push(await incrementalScenario(ctx, nightlyIncremental));
          break;
        case 'S5':
          scenarios.push(await incrementalScenario(ctx, largeIncremental));
          break;
        case 'S1r':
          scenarios.push(await resultsStoreScenario(ctx));
          break;
        case 'S6':
          scenarios.push(await learnedWindowScenario(ctx));
          break;
        default: {
          const never: never = id;
          throw new Error(`unknown scenario ${String(never)}`);
        }
      }
    } finally {
      extra.signal?.removeEventListener('abort', onAbort);
      killRunningChildren();
      const failures = await ctx.cleanup.run();
      for (const failure of failures) say(`cleanup failed: ${failure}`);
    }
    say(`${id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const cpu = cpus();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command: extra.command,
    ...(extra.commit ? { commit: extra.commit } : {}),
    machine: {
      node: process.versions.node,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1024 ** 3),
    },
    settings: { ...options, databaseUrl: undefined, redisUrl: undefined, outDir: undefined },
    scenarios,
  };
  if (options.outDir !== null) {
    await mkdir(options.outDir, { recursive: true });
    await writeFile(join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(options.outDir, 'results.md'), renderMarkdown(results));
  }
  return results;
}
