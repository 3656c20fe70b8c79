import { randomUUID } from 'node:crypto';
import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';
import type { LoadedMapping } from '../mappings/load-mapping.js';
import { errorMessage } from '../util/error-message.js';
import type { ChangeSink } from './change-log.js';
import { createSyncDependencies } from './dependencies.js';
import { runSync, type SyncProgress } from './engine.js';
import type { RunReport } from './report.js';
import { noRunSink, type RunSink } from './run-sink.js';

export interface ExecuteRunOptions {
  loaded: LoadedMapping;
  env: Env;
  logger: Logger;
  dryRun?: boolean;
  mode?: 'diff' | 'overwrite';
  /** sync: incremental — reconcile this time (`run --full`). */
  full?: boolean;
  runId?: string;
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
  /** Every change, uncapped (see SyncOptions.onChanges). */
  onChanges?: ChangeSink;
  /** Where every change and problem of the run also goes (the results store). @defaultValue none */
  sink?: RunSink;
  /** Stop before writing when the writes would cross QUOTA_RESERVE (scheduled worker runs). @defaultValue false */
  skipWhenQuotaShort?: boolean;
}

/** Runs one loaded mapping with dependencies built from the environment; the report is scrubbed of secrets. */
export async function executeRun(options: ExecuteRunOptions): Promise<RunReport> {
  const { loaded, env, logger } = options;
  const sink = options.sink ?? noRunSink;
  const deps = await createSyncDependencies(env, logger, loaded.mapping.name);
  const runId = options.runId ?? randomUUID();
  const [mode, dryRun] = [options.mode ?? loaded.mapping.mode, options.dryRun ?? false];
  sink.begin({ runId, mapping: loaded.mapping.name, mode, dryRun, startedAt: new Date().toISOString() });
  try {
    const report = await runSync(deps, {
      mapping: loaded.mapping,
      file: loaded.file,
      ...(loaded.locate ? { locate: loaded.locate } : {}),
      concurrency: env.SYNC_CONCURRENCY,
      dryRun,
      mode,
      runId,
      ...(options.full ? { full: true } : {}),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      // The sink buffers and writes in the background; it never throws (src/sync/run-sink.ts).
      onChanges: (changes) => {
        void sink.changes(changes);
        options.onChanges?.(changes);
      },
      onProblems: (problems) => void sink.problems(problems),
      transientRetryDelayMs: env.TRANSIENT_RETRY_DELAY_MS,
      quota: {
        warnShare: env.QUOTA_WARN_SHARE,
        reserve: env.QUOTA_RESERVE,
        skipWhenShort: options.skipWhenQuotaShort ?? false,
      },
    });
    const scrubbed = scrubDeep(report);
    await sink.finish(scrubbed);
    return scrubbed;
  } catch (error) {
    await sink.fail(errorMessage(error));
    throw error;
  } finally {
    await deps.close();
  }
}
