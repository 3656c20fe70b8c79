import type { RunningSimulator } from '../src/simulator/server.js';
import type { BenchContext } from './bench-context.js';
import type { ChildRunConfig, ChildRunResult } from './child-run.js';
import { spawnRuns } from './spawn-runs.js';

/** Child-run configs for mapping files against one simulator; a Redis prefix when shared. */
export function childConfigs(
  ctx: BenchContext,
  sim: RunningSimulator,
  files: string[],
  options: {
    limit: number;
    windowSeconds: number;
    dryRun?: boolean;
    sharedLimiter?: boolean;
    learnWindow?: boolean;
  },
): ChildRunConfig[] {
  const queuePrefix = options.sharedLimiter ? ctx.redisPrefix() : 'bench-local';
  return files.map((mappingFile) => ({
    mappingFile,
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    ...(options.sharedLimiter ? { redisUrl: ctx.options.redisUrl } : {}),
    queuePrefix,
    limit: options.limit,
    windowSeconds: options.windowSeconds,
    ...(options.learnWindow ? { learnWindow: true } : {}),
    dryRun: options.dryRun ?? false,
  }));
}

/** Runs the configs as child processes and fails loudly when a run did not succeed. */
export async function runChildren(configs: ChildRunConfig[]): Promise<ChildRunResult[]> {
  const results = await spawnRuns(configs);
  for (const [i, result] of results.entries()) {
    if (result.report.status === 'failed') {
      throw new Error(
        `bench run ${i} (${configs[i]!.mappingFile}) failed: ${result.report.error ?? result.report.firstProblems.join('; ')}`,
      );
    }
  }
  return results;
}
