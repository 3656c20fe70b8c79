import type { Redis } from 'ioredis';
import { z } from 'zod';

/** A mapping a worker has loaded: the version (content hash) it runs. */
const publishedMappingSchema = z.object({
  name: z.string(),
  /** SHA-256 of the file's text, first 12 hex digits. */
  hash: z.string(),
  file: z.string(),
  schedule: z.object({ cron: z.string(), timezone: z.string() }).optional(),
});
export type PublishedMapping = z.infer<typeof publishedMappingSchema>;

/** A mapping file the worker could not load as it is now; `running` is the version kept instead. */
const invalidFileSchema = z.object({
  file: z.string(),
  /** Each problem as `file:line:col path: message`. */
  problems: z.array(z.string()),
  /** The last valid version, still running (absent: nothing of this file runs). */
  running: z.object({ name: z.string(), hash: z.string() }).optional(),
});
export type InvalidMappingFile = z.infer<typeof invalidFileSchema>;

const presenceSchema = z.object({
  /** Also the BullMQ worker name, so a job's `processedBy` names its worker. */
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  publishedAt: z.string(),
  mappings: z.array(publishedMappingSchema),
  invalid: z.array(invalidFileSchema),
});
/** What a live worker publishes about itself: the mappings it runs and the files it could not load. */
export type WorkerPresence = z.infer<typeof presenceSchema>;

/** How often a worker publishes its presence, ms. */
export const presenceIntervalMs = 2000;
/** A worker that has not published for this long is gone (killed, lost its node), ms. */
export const presenceTtlMs = 6000;

/**
 * The workers alive under one QUEUE_PREFIX and the mappings they have loaded, in Redis: one key per
 * worker expiring `presenceTtlMs` after its last publish (Redis's clock decides, not the hosts'),
 * plus a set indexing them. Commands read it instead of the mapping files, so `backfill` and
 * `status` need neither MAPPINGS_DIR nor the warehouse's secrets.
 */
export class WorkerRegistry {
  readonly #redis: Redis;
  readonly #prefix: string;

  /** @param prefix key prefix (QUEUE_PREFIX) */
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async publish(presence: WorkerPresence, ttlMs = presenceTtlMs): Promise<void> {
    await this.#redis
      .multi()
      .set(this.#key(presence.id), JSON.stringify(presence), 'PX', ttlMs)
      .sadd(this.#indexKey(), presence.id)
      .exec();
  }

  /** A worker stopping cleanly leaves at once instead of expiring. */
  async remove(id: string): Promise<void> {
    await this.#redis.multi().del(this.#key(id)).srem(this.#indexKey(), id).exec();
  }

  /** The live workers, by id; ids whose key has expired leave the index. */
  async live(): Promise<WorkerPresence[]> {
    const ids = (await this.#redis.smembers(this.#indexKey())).sort();
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(...ids.map((id) => this.#key(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.#redis.srem(this.#indexKey(), ...gone);
    return values.flatMap((value) => {
      const parsed = value === null ? undefined : presenceSchema.safeParse(parseJson(value));
      return parsed?.success ? [parsed.data] : [];
    });
  }

  #key(id: string): string {
    return `${this.#prefix}:worker:${id}`;
  }

  #indexKey(): string {
    return `${this.#prefix}:workers`;
  }
}

/** Every mapping some live worker has loaded, by name, with the versions (hashes) running. */
export function loadedMappings(workers: readonly WorkerPresence[]): Map<string, PublishedMapping[]> {
  const byName = new Map<string, PublishedMapping[]>();
  for (const worker of workers) {
    for (const mapping of worker.mappings) {
      const versions = byName.get(mapping.name) ?? [];
      if (!versions.some((v) => v.hash === mapping.hash)) versions.push(mapping);
      byName.set(mapping.name, versions);
    }
  }
  return new Map([...byName.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
