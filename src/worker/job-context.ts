import type { Job } from 'bullmq';
import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { EnqueueResult } from '../queue/enqueue-run.js';
import type { HistoryStore } from '../queue/history-store.js';
import type { SyncMappingPayload } from '../queue/payloads.js';
import type { MappingVersion } from './mapping-set.js';

/** What a job handler may use: the worker's settings, mappings, history, metrics and queue. */
export interface JobContext {
  env: Env;
  logger: Logger;
  /** The valid version of a mapping a job starting now runs (MAPPINGS_DIR as last reloaded). */
  mapping: (name: string) => MappingVersion | undefined;
  history: HistoryStore;
  metrics: SyncMetrics;
  /** Asks for a run (folded like a backfill). */
  enqueue: (payload: SyncMappingPayload) => Promise<EnqueueResult>;
}

/** The lock token and abort signal BullMQ hands the processor. */
export interface JobControl {
  token: string | undefined;
  /** Aborted when the worker shuts down (the job is then handed back to the queue). */
  signal: AbortSignal | undefined;
}

/** One job kind: a file in jobs/ whose name (without extension) is the job name. */
export interface JobHandler {
  name: string;
  handle: (job: Job<unknown>, context: JobContext, control: JobControl) => Promise<unknown>;
}
