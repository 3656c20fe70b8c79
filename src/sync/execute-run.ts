import { randomUUID } from 'node:crypto';
import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';
import type { LoadedMapping } from '../mappings/load-mapping.js';
import { openRunSink } from '../results/open-run-sink.js';
import { createSyncDependencies } from './dependencies.js';
import { runSync, type SyncProgress } from './engine.js';
import type { RunReport } from './report.js';

export interface ExecuteRunOptions {
  loaded: LoadedMapping;
  env: Env;
  logger: Logger;
  dryRun?: boolean;
  mode?: 'diff' | 'overwrite';
  runId?: string;
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
}

/** Runs one loaded mapping with dependencies built from the environment; the report is scrubbed of secrets. */
export async function executeRun(options: ExecuteRunOptions): Promise<RunReport> {
  const { loaded, env, logger } = options;
  const deps = await createSyncDependencies(env, logger, loaded.mapping.name);
  const runId = options.runId ?? randomUUID();
  const sink = openRunSink(env, logger);
  const [mode, dryRun] = [options.mode ?? loaded.mapping.mode, options.dryRun ?? false];
  sink.begin({ runId, mapping: loaded.mapping.name, mode, dryRun, startedAt: new Date().toISOString() });
  try {
    const report = await runSync(deps, {
      mapping: loaded.mapping,
      file: loaded.file,
      ...(loaded.locate ? { locate: loaded.locate } : {}),
      concurrency: env.SYNC_CONCURRENCY,
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      runId,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const scrubbed = scrubDeep(report);
    // Until the engine streams every change and problem to the sink, the report's (capped) lists go in here.
    await sink.changes(scrubbed.changes ?? []);
    await sink.problems(scrubbed.problems);
    await sink.finish(scrubbed);
    return scrubbed;
  } catch (error) {
    await sink.fail(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    await deps.close();
  }
}
