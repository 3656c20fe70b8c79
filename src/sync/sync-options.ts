import type { AffinityClient } from '../affinity/client.js';
import type { Limiter } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import type { Mapping } from '../mappings/mapping-schema.js';
import type { Source } from '../sources/source.js';
import type { SourceConfig } from '../sources/source-config.js';
import type { ChangeSink } from './change-log.js';
import type { CreateWithCheckOptions } from './create-with-check.js';
import type { EntityLookup } from './entity-lookup.js';
import type { ProblemSink } from './problem.js';
import type { RunMode } from './report.js';

export interface SyncDependencies {
  client: AffinityClient;
  limiter: Limiter;
  openSource: (config: SourceConfig) => Source;
  logger: Logger;
  /** Domain → company and e-mail → person lookups, cached between runs. @defaultValue one cached for this run only */
  lookup?: EntityLookup;
}

export interface SyncOptions {
  mapping: Mapping;
  /** Mapping file, for configuration error messages. */
  file?: string;
  /** Line and column of a mapping path in `file`, so configuration errors point at it. */
  locate?: (path: string) => { line: number; column: number };
  /** Do everything but the writes. @defaultValue false */
  dryRun?: boolean;
  /** Overrides the mapping's mode for this run. */
  mode?: RunMode;
  /** PATCH requests in flight. @defaultValue 8 */
  concurrency?: number;
  runId?: string;
  /** Called whenever counts move (at most a few times a second is up to the caller). */
  onProgress?: (progress: SyncProgress) => void;
  /** Aborting stops new requests; requests in flight finish; the report says "interrupted". */
  signal?: AbortSignal;
  /**
   * Every change of the run, uncapped (the report keeps 1,000), scrubbed, one entry at a time as
   * its write succeeds (a dry run: as planned) — for a sink such as a results store. A sink that
   * throws is logged once and ignored.
   */
  onChanges?: ChangeSink;
  /** Every problem of the run, uncapped (the report keeps 1,000), as it is found; same rules as onChanges. */
  onProblems?: ProblemSink;
  /** How a create that lost its answer is checked (tests shorten the pause). @defaultValue 6 attempts, 2 s pause */
  createChecks?: Pick<CreateWithCheckOptions, 'maxAttempts' | 'checkDelayMs'>;
}

export interface SyncProgress {
  phase: 'resolving' | 'scanning' | 'reading' | 'creating' | 'writing' | 'done';
  rowsRead: number;
  entriesScanned: number;
  entriesToWrite: number;
  entriesWritten: number;
  calls: number;
  startedAt: number;
}
