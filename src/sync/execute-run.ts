import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';
import type { LoadedMapping } from '../mappings/load-mapping.js';
import type { ChangeSink } from './change-log.js';
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
  /** Every change, uncapped (see SyncOptions.onChanges). */
  onChanges?: ChangeSink;
}

/** Runs one loaded mapping with dependencies built from the environment; the report is scrubbed of secrets. */
export async function executeRun(options: ExecuteRunOptions): Promise<RunReport> {
  const { loaded, env, logger } = options;
  const deps = await createSyncDependencies(env, logger, loaded.mapping.name);
  try {
    const report = await runSync(deps, {
      mapping: loaded.mapping,
      file: loaded.file,
      ...(loaded.locate ? { locate: loaded.locate } : {}),
      concurrency: env.SYNC_CONCURRENCY,
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onChanges === undefined ? {} : { onChanges: options.onChanges }),
    });
    return scrubDeep(report);
  } finally {
    await deps.close();
  }
}
