import { parseArgs } from 'node:util';

/** Scenario ids, in the order they run. */
export const scenarioIds = ['S1', 'S1i', 'baseline', 'S2', 'S3', 'S4', 'S5', 'S6', 'S1r'] as const;
export type ScenarioId = (typeof scenarioIds)[number];

export interface BenchOptions {
  /** Scenarios to run. @defaultValue all */
  only: ScenarioId[];
  /** Multiplies every size (1 = the sizes; the smoke test uses 0.02). @defaultValue 1 */
  scale: number;
  /** Mean simulator latency per request, ms. @defaultValue 120 */
  latencyMs: number;
  /** Latency varies uniformly within ± this, ms. @defaultValue 40 */
  jitterMs: number;
  /** S2/S3 rate window: `limit` requests per `windowSeconds` (scaled from Affinity's 900 per 60 s). @defaultValue 900 per 24 s */
  limit: number;
  windowSeconds: number;
  /** S1 and baseline window, seconds (Affinity's own). @defaultValue 60 */
  nightlyWindowSeconds: number;
  /** Baseline rows actually sent, then extrapolated to the whole table; null sends all. @defaultValue null */
  naiveSample: number | null;
  databaseUrl: string;
  redisUrl: string;
  /** Folder for results.md / results.json; null writes nothing. @defaultValue <package>/bench */
  outDir: string | null;
  /** Prefix of every schema (`<ns>_…`) and Redis key (`<ns>-…`) a run creates. @defaultValue bench */
  namespace: string;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const benchUsage = `usage: npm run bench -- [options]
  --only S1,S1i,baseline,S2,S3,S4,S5,S6,S1r   scenarios to run (default all; S1i, S5: sync: incremental)
  --scale X                        multiply every size (default 1: 10,000 entries; S4 1,000,000 rows)
  --latency MS --jitter MS         simulator latency (default 120 ± 40)
  --limit N --window S             S2/S3 simulator window (default 900 per 24 s)
  --nightly-window S               S1/baseline window (default 60, Affinity's)
  --naive-sample N                 baseline: send N rows and extrapolate (default: every row)
  --out DIR | --no-write           where results.md / results.json go (default bench/)
  --help                           this text`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new BenchUsageError(`--${name} must be a positive number; got "${text}"`);
  return value;
}

/** Parses `npm run bench -- …` flags; defaults come from `defaults` (package paths, service URLs). */
export function parseBenchArgs(
  args: string[],
  defaults: { outDir: string; databaseUrl: string; redisUrl: string; namespace?: string },
): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\n${benchUsage}`);
  }
  const v = parsed.values;
  const only: ScenarioId[] = [];
  for (const raw of (v.only ?? scenarioIds.join(',')).split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const id = scenarioIds.find((s) => s.toLowerCase() === name.toLowerCase());
    if (!id)
      throw new BenchUsageError(`--only: unknown scenario "${name}" (known: ${scenarioIds.join(', ')})`);
    if (!only.includes(id)) only.push(id);
  }
  return {
    only: scenarioIds.filter((id) => only.includes(id)),
    scale: positive('scale', v.scale, 1),
    latencyMs: v.latency === undefined ? 120 : Math.max(0, Number(v.latency)),
    jitterMs: v.jitter === undefined ? 40 : Math.max(0, Number(v.jitter)),
    limit: positive('limit', v.limit, 900),
    windowSeconds: positive('window', v.window, 24),
    nightlyWindowSeconds: positive('nightly-window', v['nightly-window'], 60),
    naiveSample:
      v['naive-sample'] === undefined ? null : Math.floor(positive('naive-sample', v['naive-sample'], 1)),
    databaseUrl: v['database-url'] ?? defaults.databaseUrl,
    redisUrl: v['redis-url'] ?? defaults.redisUrl,
    outDir: v['no-write'] ? null : (v.out ?? defaults.outDir),
    namespace: defaults.namespace ?? 'bench',
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      only: { type: 'string' },
      scale: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      limit: { type: 'string' },
      window: { type: 'string' },
      'nightly-window': { type: 'string' },
      'naive-sample': { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
}
