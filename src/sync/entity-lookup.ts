import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EntityKind, EntityRecord } from '../affinity/entity-schemas.js';
import type { Logger } from '../log/logger.js';
import type { StateMap, StateStore } from '../state/state-store.js';
import { errorMessage } from '../util/error-message.js';
import { exactIds } from './entity-keys.js';
import { fatalReason } from './fatal-reason.js';

/** What a key (a normalized domain or e-mail address) resolves to. */
export type LookupResult =
  /** `cached`: read from the state store, not searched in this run (worth a new search if the id is gone). */
  | { kind: 'found'; id: number; cached: boolean }
  /** Two or more companies (persons) answer to the key: nothing may be written for it. */
  | { kind: 'ambiguous'; ids: number[] }
  | { kind: 'missing' }
  /** The search failed (not a failure that stops the run); not cached, tried again next time. */
  | { kind: 'failed'; reason: string };

export interface EntityLookupOptions {
  /** Sends the searches, through the shared limiter (AffinityClient fits). */
  client: {
    searchEntities(
      kind: EntityKind,
      term: string,
      options?: { api?: 'v2' | 'v1' },
    ): Promise<{ records: EntityRecord[]; api: 'v2' | 'v1' }>;
  };
  /** Where resolved ids are kept between runs (Redis for the worker and `run` with REDIS_URL). */
  state: StateStore;
  /** The Affinity API key: only a hash of it names the cache, so each account keeps its own. */
  apiKey: string;
  /** How long "no match" and "ambiguous" answers are trusted before searching again, ms. @defaultValue 12 hours */
  missTtlMs?: number;
  /** Searches in flight. @defaultValue 4 */
  concurrency?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  logger?: Logger;
}

// A cached answer: the exact matches' ids (one: found; none: missing; more: ambiguous) and when.
const cachedSchema = z.strictObject({ ids: z.array(z.number().int().positive()), at: z.number() });
type Cached = z.infer<typeof cachedSchema>;

const defaultMissTtlMs = 12 * 3600 * 1000;
const mapKind: Record<EntityKind, string> = { company: 'company-domain', person: 'person-email' };

/**
 * Resolves domains to company ids and e-mail addresses to person ids: from the state store when
 * known, else one search per key (`POST /v2/{companies|persons}/search` with the key as term, or
 * v1 `?term=` on older API versions), keeping only exact matches of a domain / address. v2 search
 * reads only primary domains and addresses, so a key it does not find is searched once more with
 * v1, which reads every one. Found ids are kept until `forget()` (a merged or deleted id); misses
 * and ambiguities for `missTtlMs`.
 */
export class EntityLookup {
  #searches = 0;
  readonly #options: EntityLookupOptions;
  readonly #maps: Record<EntityKind, StateMap<Cached>>;

  constructor(options: EntityLookupOptions) {
    this.#options = options;
    const account = createHash('sha256').update(options.apiKey).digest('hex').slice(0, 16);
    this.#maps = {
      company: options.state.map(`lookup:${account}:${mapKind.company}`, cachedSchema),
      person: options.state.map(`lookup:${account}:${mapKind.person}`, cachedSchema),
    };
  }

  /** Searches sent by this lookup so far (one per key that was not cached). */
  get searches(): number {
    return this.#searches;
  }

  /**
   * The result for each of `keys` (normalized with `entityKey`; duplicates are resolved once).
   * Throws only for failures that stop a run (refused key, quota, limiter down).
   */
  async resolve(kind: EntityKind, keys: Iterable<string>): Promise<Map<string, LookupResult>> {
    const unique = [...new Set(keys)];
    const results = new Map<string, LookupResult>();
    const cached = await this.#maps[kind].getMany(unique);
    const now = (this.#options.now ?? Date.now)();
    const ttl = this.#options.missTtlMs ?? defaultMissTtlMs;
    const toSearch: string[] = [];
    for (const key of unique) {
      const hit = cached.get(key);
      const fresh = hit !== undefined && (hit.ids.length === 1 || now - hit.at < ttl);
      if (hit !== undefined && fresh) results.set(key, resultOf(hit.ids, true));
      else toSearch.push(key);
    }
    const learned = await this.#search(kind, toSearch, results, now);
    if (learned.length > 0) await this.#maps[kind].setMany(learned);
    return results;
  }

  /** Records ids learned otherwise (e.g. a company just created), so no search is needed for them. */
  async remember(kind: EntityKind, entries: Iterable<readonly [string, number]>): Promise<void> {
    const at = (this.#options.now ?? Date.now)();
    await this.#maps[kind].setMany([...entries].map(([key, id]) => [key, { ids: [id], at }] as const));
  }

  /** Drops cached answers (an id that answered 404: merged or deleted); the next resolve searches. */
  async forget(kind: EntityKind, keys: Iterable<string>): Promise<void> {
    await this.#maps[kind].deleteMany([...new Set(keys)]);
  }

  // One search per key, `concurrency` at a time; returns the answers worth caching.
  async #search(
    kind: EntityKind,
    keys: readonly string[],
    results: Map<string, LookupResult>,
    at: number,
  ): Promise<Array<[string, Cached]>> {
    const learned: Array<[string, Cached]> = [];
    let next = 0;
    let fatal: unknown;
    const lane = async (): Promise<void> => {
      while (fatal === undefined && next < keys.length) {
        const key = keys[next++]!;
        try {
          const ids = await this.#searchOne(kind, key);
          results.set(key, resultOf(ids, false));
          learned.push([key, { ids, at }]);
        } catch (error) {
          if (fatalReason(error) !== undefined) fatal ??= error;
          const reason = errorMessage(error);
          this.#options.logger?.warn({ kind, key, err: reason }, 'entity lookup failed');
          results.set(key, { kind: 'failed', reason });
        }
      }
    };
    const lanes = Math.max(1, Math.min(this.#options.concurrency ?? 4, keys.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    // What was learned before the stop is still true: keep it, then stop the run.
    if (fatal !== undefined) {
      if (learned.length > 0) await this.#maps[kind].setMany(learned);
      throw fatal;
    }
    return learned;
  }

  // The exact matches of one key: v2 first, v1 when v2 found none (a second domain or address).
  async #searchOne(kind: EntityKind, key: string): Promise<number[]> {
    const { client } = this.#options;
    this.#searches += 1;
    const first = await client.searchEntities(kind, key);
    const ids = exactIds(kind, key, first.records);
    if (ids.length > 0 || first.api === 'v1') return ids;
    this.#searches += 1;
    return exactIds(kind, key, (await client.searchEntities(kind, key, { api: 'v1' })).records);
  }
}

function resultOf(ids: readonly number[], cached: boolean): LookupResult {
  if (ids.length === 1) return { kind: 'found', id: ids[0]!, cached };
  return ids.length === 0 ? { kind: 'missing' } : { kind: 'ambiguous', ids: [...ids] };
}
