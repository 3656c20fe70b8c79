import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type RunningSimulator, startSimulator } from '../src/simulator/server.js';
import type { BenchOptions } from './bench-options.js';
import { Cleanup } from './cleanup.js';
import { benchFixture } from './dataset.js';
import { type BenchMapping, writeMappingFile } from './mapping-file.js';
import { createWarehouse, type Warehouse } from './warehouse.js';

/** What every scenario uses: options, a scratch folder, and resources that clean up after themselves. */
export class BenchContext {
  readonly cleanup = new Cleanup();
  private dir: string | undefined;

  constructor(
    readonly options: BenchOptions,
    /** Progress lines for the person running the benchmark (stderr). */
    readonly say: (line: string) => void,
  ) {}

  /** The latency as the results describe it. */
  latencyText(): string {
    return `${this.options.latencyMs} ± ${this.options.jitterMs} ms latency`;
  }

  /** A size from the issue, times --scale (at least 1). */
  size(n: number): number {
    return Math.max(1, Math.round(n * this.options.scale));
  }

  async scratch(): Promise<string> {
    if (this.dir === undefined) {
      const dir = await mkdtemp(join(tmpdir(), 'affinity-sync-bench-'));
      this.dir = dir;
      this.cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
    }
    return this.dir;
  }

  /** A simulator holding `entries` bench companies, with this window and (unless told) latency ± jitter. */
  async simulator(options: {
    entries: number;
    limit: number;
    windowSeconds: number;
    latency?: boolean;
    /** Change tracking on for the list's fields (incremental scenarios). @defaultValue false */
    trackChanges?: boolean;
  }): Promise<RunningSimulator> {
    const withLatency = options.latency ?? true;
    const sim = await startSimulator({
      apiKey: `bench-${randomUUID()}`,
      fixture: benchFixture(options.entries, { trackChanges: options.trackChanges ?? false }),
      rateLimit: { limit: options.limit, windowSeconds: options.windowSeconds },
      // latency ± jitter, uniform: the simulator adds [0, jitterMs) to a fixed delay.
      faults: withLatency
        ? {
            latencyMs: Math.max(this.options.latencyMs - this.options.jitterMs, 0),
            jitterMs: 2 * this.options.jitterMs,
          }
        : {},
    });
    this.cleanup.add(`close simulator ${sim.url}`, () => sim.close());
    return sim;
  }

  async warehouse(rows: number, changedEvery: number): Promise<Warehouse> {
    const warehouse = await createWarehouse(
      this.options.databaseUrl,
      rows,
      changedEvery,
      this.options.namespace,
    );
    this.cleanup.add(`drop schema ${warehouse.schema}`, () => warehouse.drop());
    return warehouse;
  }

  async mapping(options: BenchMapping): Promise<string> {
    return writeMappingFile(await this.scratch(), options);
  }

  /** A QUEUE_PREFIX of its own; every Redis key under it is deleted at cleanup. */
  redisPrefix(): string {
    const prefix = `${this.options.namespace}-${randomUUID().slice(0, 8)}`;
    this.cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteKeys(this.options.redisUrl, `${prefix}:*`));
    return prefix;
  }
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
