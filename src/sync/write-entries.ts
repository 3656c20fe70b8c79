import { AffinityApiError } from '../affinity/affinity-api-error.js';
import type { FieldUpdate } from '../affinity/field-value.js';
import { errorMessage } from '../util/error-message.js';
import { fatalReason } from './fatal-reason.js';
import type { Target } from './target.js';
import { isTransientFailure } from './transient-failure.js';

export interface EntryWrite {
  entryId: number;
  /** One PATCH each, in order; at most 100 updates per batch. */
  batches: FieldUpdate[][];
}

export type EntryResult =
  | { entryId: number; ok: true; fieldsWritten: number }
  | {
      entryId: number;
      ok: false;
      fieldsWritten: number;
      reason: string;
      /** A 5xx, network error or timeout (retries spent): the same write may succeed later. */
      transient: boolean;
    };

export interface WriteOutcome {
  results: EntryResult[];
  /** Set when a failure stopped every write (refused key, quota reached, limiter down, interrupted). */
  fatal?: string;
}

/**
 * Sends each entry's batches with `concurrency` requests in flight. A 400/422/404 fails that entry
 * and the run goes on; 401/403, quota and limiter failures stop new requests and are returned as
 * `fatal`. Entries never started after a stop are not in `results`.
 */
export async function writeEntries(options: {
  target: Pick<Target, 'writeRecord'>;
  concurrency: number;
  jobs: EntryWrite[];
  signal?: AbortSignal;
  onEntryDone?: (result: EntryResult) => void;
}): Promise<WriteOutcome> {
  const { target, jobs } = options;
  const results: EntryResult[] = [];
  let fatal: string | undefined;
  let next = 0;

  async function lane(): Promise<void> {
    while (fatal === undefined && next < jobs.length) {
      if (options.signal?.aborted) {
        fatal = 'interrupted: requests in flight finished, the rest was not sent';
        return;
      }
      const job = jobs[next++]!;
      let fieldsWritten = 0;
      let result: EntryResult | undefined;
      for (const batch of job.batches) {
        try {
          await target.writeRecord(job.entryId, batch);
          fieldsWritten += batch.length;
        } catch (caught) {
          const stop = fatalReason(caught);
          if (stop !== undefined) fatal ??= stop;
          result = {
            entryId: job.entryId,
            ok: false,
            fieldsWritten,
            reason: reasonOf(caught),
            transient: stop === undefined && isTransientFailure(caught),
          };
          break;
        }
      }
      result ??= { entryId: job.entryId, ok: true, fieldsWritten };
      results.push(result);
      options.onEntryDone?.(result);
    }
  }

  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, () => lane());
  await Promise.all(lanes);
  return fatal === undefined ? { results } : { results, fatal };
}

function reasonOf(caught: unknown): string {
  if (caught instanceof AffinityApiError) return caught.message;
  return errorMessage(caught);
}
