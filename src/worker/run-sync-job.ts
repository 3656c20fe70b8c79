import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { EnvError } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import { ConfigError } from '../mappings/config-error.js';
import { failureReport } from '../queue/failure-report.js';
import type { HistoryEntry } from '../queue/history-store.js';
import type { SyncMappingPayload } from '../queue/payloads.js';
import { openRunSink } from '../results/open-run-sink.js';
import type { SyncProgress } from '../sync/engine.js';
import { executeRun } from '../sync/execute-run.js';
import { exitCodeOf, type RunReport, type RunStatus } from '../sync/report.js';
import { errorMessage } from '../util/error-message.js';
import type { JobContext, JobControl } from './job-context.js';
import { jobOutcome } from './job-outcome.js';
import type { MappingVersion } from './mapping-set.js';

/** What a finished sync job returns (its BullMQ return value; `backfill --wait` reads it). */
export interface SyncJobResult {
  runId: string;
  status: RunStatus;
  /** Rejected values and failed entries the mapping tolerated. */
  warnings: number;
  exitCode: number;
}

/** Progress a sync job publishes (the engine's, plus the mapping, so followers can filter). */
export type SyncJobProgress = SyncProgress & { mapping: string };

/** Publish progress at most this often, ms (each update is a Redis write and an event). */
const progressIntervalMs = 1000;

/** One run of a job as its steps share it: ids, the logger, and how it lands in history + metrics. */
interface JobRun {
  runId: string;
  logger: Logger;
  startedAt: number;
  record: (report: RunReport, extra?: Partial<HistoryEntry>) => Promise<void>;
}

/**
 * Runs one mapping for a job: records the report in the history and the metrics, then (job-outcome.ts)
 * - succeeded (warnings included): completes the job;
 * - partial, or skipped for the quota reserve: fails the job without retrying (Bull Board shows why);
 * - failed: throws so BullMQ retries with backoff (a configuration problem fails at once);
 * and asks for one follow-up run when entries failed for a transient reason;
 * - interrupted by shutdown: moves the job back to wait for another worker and throws WaitingError.
 */
export async function runSyncJob(
  job: Job<unknown>,
  payload: SyncMappingPayload,
  context: JobContext,
  control: JobControl,
): Promise<SyncJobResult> {
  // The version of the mapping as it is now: an edit since the worker started is used from here on.
  const version = context.mapping(payload.mapping);
  const run = startJobRun(job, payload, context, version?.hash);
  if (!version) {
    const error =
      `mapping "${payload.mapping}" is not loaded by this worker (MAPPINGS_DIR ${context.env.MAPPINGS_DIR}): ` +
      'its file was removed or renamed, or is invalid; `affinity-sync status` lists the mappings the workers run';
    const { runId, startedAt } = run;
    await run.record(
      failureReport({ mapping: payload.mapping, runId, mode: payload.mode ?? 'diff', startedAt, error }),
    );
    throw new UnrecoverableError(error);
  }
  const report = await executeJobRun(job, payload, context, control, { run, version });

  // A run the abort reached before it finished; one that finished anyway is kept as it is.
  if (control.signal?.aborted && report.status === 'failed') {
    await handBack(job, control, run, report);
    throw new WaitingError();
  }

  await run.record(report);
  run.logger.info(
    {
      runId: run.runId,
      status: report.status,
      fieldsWritten: report.fields.written,
      calls: report.calls.total,
    },
    'run finished',
  );
  return settle(report, payload, context, run.logger);
}

/** The job's end from its run (job-outcome.ts): complete, retry or fail, after asking for a follow-up. */
async function settle(
  report: RunReport,
  payload: SyncMappingPayload,
  context: JobContext,
  logger: Logger,
): Promise<SyncJobResult> {
  const outcome = jobOutcome(report, payload.trigger);
  if (outcome.followUp) await askFollowUp(context, payload, logger);
  if (outcome.kind === 'retry') throw new Error(outcome.reason);
  if (outcome.kind === 'fail') throw new UnrecoverableError(outcome.reason);
  return {
    runId: report.runId,
    status: report.status,
    warnings: report.warnings,
    exitCode: exitCodeOf(report),
  };
}

/** One more run for the entries that failed transiently (folded like a backfill; it waits for this one). */
async function askFollowUp(context: JobContext, payload: SyncMappingPayload, logger: Logger): Promise<void> {
  try {
    const request = await context.enqueue({
      mapping: payload.mapping,
      trigger: 'retry',
      ...(payload.mode ? { mode: payload.mode } : {}),
    });
    logger.info({ request }, 'entries failed for a transient reason; a follow-up run is queued');
  } catch (error) {
    logger.warn(
      { err: error },
      'could not queue the follow-up run; the next scheduled run writes those entries',
    );
  }
}

/** The run's id, logger and recorder (history entry: the job, its trigger and attempt, the mapping's hash). */
function startJobRun(
  job: Job<unknown>,
  payload: SyncMappingPayload,
  context: JobContext,
  mappingHash: string | undefined,
): JobRun {
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  // attemptsStarted also counts restarts after a crash, so every run gets its own id.
  const runId = `${job.id}.${job.attemptsStarted}`;
  const logger = context.logger.child({ mapping: payload.mapping, jobId: job.id, attempt });
  const base = {
    jobId: job.id ?? '',
    trigger: payload.trigger,
    attempt,
    attempts,
    ...(mappingHash ? { mappingHash } : {}),
  };
  const record = async (report: RunReport, extra: Partial<HistoryEntry> = {}) => {
    await context.history.record({ ...base, ...extra, report });
    context.metrics.recordRun(report);
  };
  return { runId, logger, startedAt: Date.now(), record };
}

/** The engine's run of the mapping's version; a throw is recorded as a failed run and rethrown for BullMQ. */
async function executeJobRun(
  job: Job<unknown>,
  payload: SyncMappingPayload,
  context: JobContext,
  control: JobControl,
  { run, version }: { run: JobRun; version: MappingVersion },
): Promise<RunReport> {
  const { loaded } = version;
  const { logger, runId } = run;
  try {
    logger.info({ trigger: payload.trigger, runId, mappingHash: version.hash }, 'run started');
    return await executeRun({
      loaded,
      env: context.env,
      logger,
      runId,
      onProgress: progressPublisher(job, payload.mapping, logger),
      sink: openRunSink(context.env, logger),
      // A scheduled run that would cross the quota reserve is skipped before writing; one asked for runs.
      skipWhenQuotaShort: payload.trigger === 'schedule',
      ...(payload.mode ? { mode: payload.mode } : {}),
      ...(control.signal ? { signal: control.signal } : {}),
    });
  } catch (error) {
    const message = scrub(errorMessage(error));
    const mode = payload.mode ?? loaded.mapping.mode;
    const { startedAt } = run;
    await run.record(failureReport({ mapping: payload.mapping, runId, mode, startedAt, error: message }));
    // Configuration problems do not heal by retrying.
    if (error instanceof ConfigError || error instanceof EnvError) throw new UnrecoverableError(message);
    throw new Error(message);
  }
}

/** Records an interrupted run and moves its job back to wait for another worker. */
async function handBack(
  job: Job<unknown>,
  control: JobControl,
  run: JobRun,
  report: RunReport,
): Promise<void> {
  await run.record(report, { handedBack: true });
  run.logger.info({ runId: run.runId }, 'run interrupted by shutdown; job handed back to the queue');
  try {
    await job.moveToWait(control.token);
  } catch (error) {
    // The lock is gone (e.g. it expired): stalled-job recovery returns the job to the queue instead.
    run.logger.warn({ err: error }, 'could not hand the job back; stalled-job recovery will');
  }
}

/** Publishes a run's progress on its job, at most every `progressIntervalMs` (and when done). */
function progressPublisher(
  job: Job<unknown>,
  mapping: string,
  logger: Logger,
): (progress: SyncProgress) => void {
  let lastProgress = 0;
  return (progress) => {
    const now = Date.now();
    if (now - lastProgress < progressIntervalMs && progress.phase !== 'done') return;
    lastProgress = now;
    const data: SyncJobProgress = { ...progress, mapping };
    job
      .updateProgress(data)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not publish progress'));
  };
}
