import type { QuotaAllowance } from '../affinity/allowance-watch.js';
import type { AffinityClient } from '../affinity/client.js';
import type { Limiter } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import type { Mapping } from '../mappings/mapping-schema.js';
import type { Source } from '../sources/source.js';
import type { SourceConfig } from '../sources/source-config.js';
import type { StateStore } from '../state/state-store.js';
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
  /** Facts kept between runs (sync: incremental); without one, incremental mappings read like live. */
  state?: StateStore;
  /** The monthly allowance Affinity's last response reported, if any (see src/affinity/allowance-watch.ts). */
  allowance?: () => QuotaAllowance | undefined;
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
  /** sync: incremental — read the whole list and rebuild the state this time (`run --full`). @defaultValue false */
  full?: boolean;
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
  /** Pause before entries that failed transiently are tried once more, ms. @defaultValue 10000 */
  transientRetryDelayMs?: number;
  /** Quota forecast settings (QUOTA_WARN_SHARE, QUOTA_RESERVE). @defaultValue warn at 0.2, never skip */
  quota?: QuotaSettings;
  /** How a create that lost its answer is checked (tests shorten the pause). @defaultValue 6 attempts, 2 s pause */
  createChecks?: Pick<CreateWithCheckOptions, 'maxAttempts' | 'checkDelayMs'>;
}

export interface QuotaSettings {
  /** Warn when a run would spend more than this share of the monthly allowance left. @defaultValue 0.2 */
  warnShare: number;
  /** Fraction of the monthly allowance syncs never spend. @defaultValue 0.02 */
  reserve: number;
  /** Stop before writing when the writes would cross the reserve (scheduled worker runs). @defaultValue false */
  skipWhenShort: boolean;
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
