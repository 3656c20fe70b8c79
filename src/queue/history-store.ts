import type { Redis } from 'ioredis';
import type { RunReport } from '../sync/report.js';
import type { Trigger } from './payloads.js';

/** One run as the history keeps it: the engine's report plus the job that ran it. */
export interface HistoryEntry {
  jobId: string;
  trigger: Trigger;
  /** 1-based attempt of the job this run was. */
  attempt: number;
  /** Attempts the job is allowed. */
  attempts: number;
  /** The run was stopped by a worker shutting down; the job went back to the queue. */
  handedBack?: boolean;
  /** Which version of the mapping ran: SHA-256 of its file's text, first 12 hex digits. */
  mappingHash?: string;
  report: RunReport;
}

/**
 * Changes of a run the Redis history keeps (the first ones; the rest are counted in
 * `changesOmitted`): 1,000 per report at HISTORY_RETENTION 100 would be ~30 MB per mapping.
 * The results store keeps them all.
 */
export const historyChangeSample = 50;

/** A report as the history keeps it: its first `keep` changes, the others counted in `changesOmitted`. */
export function sampleChanges(report: RunReport, keep = historyChangeSample): RunReport {
  if (report.changes.length <= keep) return report;
  return {
    ...report,
    changes: report.changes.slice(0, keep),
    changesOmitted: report.changesOmitted + report.changes.length - keep,
  };
}

/**
 * Run history in Redis: one list per mapping, newest first, trimmed to `retention` entries, plus
 * the set of mapping names that have any. Each report keeps its counts, its problems and the first
 * `historyChangeSample` changes.
 */
export class HistoryStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #retention: number;

  /**
   * @param prefix key prefix (QUEUE_PREFIX)
   * @param retention runs kept per mapping (HISTORY_RETENTION, default 100)
   */
  constructor(redis: Redis, prefix: string, retention: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#retention = retention;
  }

  async record(entry: HistoryEntry): Promise<void> {
    const key = this.#key(entry.report.mapping);
    await this.#redis
      .multi()
      .lpush(key, JSON.stringify({ ...entry, report: sampleChanges(entry.report) }))
      .ltrim(key, 0, this.#retention - 1)
      .sadd(this.#namesKey(), entry.report.mapping)
      .exec();
  }

  /** The newest `limit` runs of `mapping`, newest first. */
  async recent(mapping: string, limit = this.#retention): Promise<HistoryEntry[]> {
    const items = await this.#redis.lrange(this.#key(mapping), 0, limit - 1);
    return items.map((item) => JSON.parse(item) as HistoryEntry);
  }

  /** Names of the mappings with at least one recorded run, sorted. */
  async mappings(): Promise<string[]> {
    return (await this.#redis.smembers(this.#namesKey())).sort();
  }

  #key(mapping: string): string {
    return `${this.#prefix}:history:${mapping}`;
  }

  #namesKey(): string {
    return `${this.#prefix}:history-mappings`;
  }
}
