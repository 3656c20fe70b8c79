// One sync run in its own process, for the benchmarks: builds the same dependencies as
// `affinity-sync run` (src/sync/dependencies.ts), plus the simulator's window unless the scenario
// wants the limiter to learn it from the headers as the product does. Prints "ready", waits for
// "go" on stdin, runs, then prints one JSON line (ChildRunResult).
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { AffinityClient } from '../src/affinity/client.js';
import { readEnv } from '../src/config/env.js';
import { createLimiter } from '../src/limiter/create-limiter.js';
import { createLogger } from '../src/log/logger.js';
import { loadMappingFile } from '../src/mappings/load-mapping.js';
import { openRunSink } from '../src/results/open-run-sink.js';
import { openSource } from '../src/sources/open-source.js';
import { MemoryStateStore } from '../src/state/memory-state-store.js';
import { RedisStateStore } from '../src/state/redis-state-store.js';
import { runSync, type SyncProgress } from '../src/sync/engine.js';
import type { RunReport } from '../src/sync/report.js';

export interface ChildRunConfig {
  mappingFile: string;
  baseUrl: string;
  apiKey: string;
  /** Shared limiter when set, else in-process. */
  redisUrl?: string;
  /** QUEUE_PREFIX of this run (limiter keys live under `<prefix>:limiter:`). */
  queuePrefix: string;
  /** The simulator's window: requests per `windowSeconds`. */
  limit: number;
  windowSeconds: number;
  /** Tell the limiter neither limit nor window, as `affinity-sync run` does: it learns both from headers. */
  learnWindow?: boolean;
  dryRun: boolean;
  /** Also write the run to a results store (RESULTS_DATABASE_URL / RESULTS_SCHEMA), as `run` does. */
  results?: { databaseUrl: string; schema: string };
}

/** The report without its long lists, plus when each phase began and what the process cost. */
export interface ChildRunResult {
  report: Omit<RunReport, 'problems' | 'changes'> & { changesCount: number; firstProblems: string[] };
  /** Epoch ms at which each phase was first reported. */
  phases: Partial<Record<SyncProgress['phase'], number>>;
  /** Epoch ms at which each phase was last reported (the scan reports after every page). */
  phasesLastSeen: Partial<Record<SyncProgress['phase'], number>>;
  startedAt: number;
  finishedAt: number;
  /** Peak resident set size of this process, bytes. */
  maxRssBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildRunConfig;
const env = readEnv({
  AFFINITY_API_KEY: config.apiKey,
  AFFINITY_BASE_URL: config.baseUrl,
  QUEUE_PREFIX: config.queuePrefix,
  ...(config.redisUrl ? { REDIS_URL: config.redisUrl } : {}),
  ...(config.results
    ? { RESULTS_DATABASE_URL: config.results.databaseUrl, RESULTS_SCHEMA: config.results.schema }
    : {}),
});
const logger = createLogger({ level: 'warn' });
const loaded = await loadMappingFile(config.mappingFile, {});
const limiter = await createLimiter({
  apiKey: config.apiKey,
  ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
  keyPrefix: `${env.QUEUE_PREFIX}:`,
  safetyMargin: env.RATE_LIMIT_MARGIN,
  quotaReserve: env.QUOTA_RESERVE,
  ...(config.learnWindow ? {} : { limit: config.limit, windowSeconds: config.windowSeconds }),
  logger,
});
const client = new AffinityClient({ apiKey: config.apiKey, baseUrl: env.AFFINITY_BASE_URL, limiter, logger });
// The state store `run` uses: Redis (incremental state survives between child runs) or memory.
const state = env.REDIS_URL
  ? new RedisStateStore({ redis: env.REDIS_URL, keyPrefix: `${env.QUEUE_PREFIX}:` })
  : new MemoryStateStore();

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const sink = openRunSink(env, logger);
const phases: ChildRunResult['phases'] = {};
const phasesLastSeen: ChildRunResult['phasesLastSeen'] = {};
const startedAt = Date.now();
const before = process.cpuUsage();
let report: RunReport;
const runId = randomUUID();
sink.begin({
  runId,
  mapping: loaded.mapping.name,
  mode: loaded.mapping.mode,
  dryRun: config.dryRun,
  startedAt: new Date(startedAt).toISOString(),
});
try {
  report = await runSync(
    {
      client,
      limiter,
      logger,
      openSource: (source) => openSource(source, { logger, mappingName: loaded.mapping.name }),
      state,
    },
    {
      mapping: loaded.mapping,
      file: loaded.file,
      dryRun: config.dryRun,
      runId,
      concurrency: env.SYNC_CONCURRENCY,
      onChanges: (changes) => void sink.changes(changes),
      onProblems: (problems) => void sink.problems(problems),
      onProgress: (progress) => {
        const now = Date.now();
        phases[progress.phase] ??= now;
        phasesLastSeen[progress.phase] = now;
      },
    },
  );
  await sink.finish(report);
} finally {
  await limiter.close();
  await state.close();
}
// The results store's last rows are written before the clock stops: its cost is in the wall time.
const finishedAt = Date.now();
const cpu = process.cpuUsage(before);
const { problems, changes, ...rest } = report;
const result: ChildRunResult = {
  report: {
    ...rest,
    changesCount: changes.length + rest.changesOmitted,
    firstProblems: problems.slice(0, 5).map((p) => p.reason),
  },
  phases,
  phasesLastSeen,
  startedAt,
  finishedAt,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  cpuUserMs: Math.round(cpu.user / 1000),
  cpuSystemMs: Math.round(cpu.system / 1000),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
