import type { Job } from 'bullmq';
import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { LoadedMapping } from '../mappings/load-mapping.js';
import type { SyncMetrics } from '../metrics/sync-metrics.js';
import type { EnqueueResult } from '../queue/enqueue-run.js';
import type { HistoryStore } from '../queue/history-store.js';
import type { SyncMappingPayload } from '../queue/payloads.js';

/** What a job handler may use: the worker's settings, mappings, history, metrics and queue. */
export interface JobContext {
  env: Env;
  logger: Logger;
  /** Mappings loaded and validated at start, by name. */
  mappings: ReadonlyMap<string, LoadedMapping>;
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

/** One job kind (one file in jobs/, the file name being `name`). */
export interface JobHandler {
  name: string;
  handle: (job: Job<unknown>, context: JobContext, control: JobControl) => Promise<unknown>;
}
