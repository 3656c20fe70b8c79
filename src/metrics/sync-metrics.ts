import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { registerResultsMetrics } from '../results/results-metrics.js';
import type { RunReport } from '../sync/report.js';
import { IncrementalMetrics } from './incremental-metrics.js';
import { RunHealthMetrics } from './run-health-metrics.js';

/**
 * The worker's Prometheus metrics (one registry per process, served on GET /metrics): counters of
 * runs and of what they did, per mapping, plus Node's default process metrics.
 */
export class SyncMetrics {
  readonly registry = new Registry();
  readonly #runs: Counter<'mapping' | 'status'>;
  readonly #rowsRead: Counter<'mapping'>;
  readonly #fieldsWritten: Counter<'mapping'>;
  readonly #entriesUpdated: Counter<'mapping'>;
  readonly #calls: Counter<'mapping' | 'kind'>;
  readonly #rateLimited: Counter<'mapping'>;
  readonly #limiterWait: Counter<'mapping'>;
  readonly #lastSuccess: Gauge<'mapping'>;
  readonly #duration: Histogram<'mapping'>;
  readonly #incremental: IncrementalMetrics;
  readonly #health: RunHealthMetrics;

  /** @param options.defaultMetrics also collect Node's process metrics. @defaultValue true */
  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.#runs = new Counter({
      name: 'affinity_sync_runs_total',
      help: 'Sync runs finished, by mapping and status (succeeded, partial, failed)',
      labelNames: ['mapping', 'status'],
      registers,
    });
    this.#rowsRead = new Counter({
      name: 'affinity_sync_rows_read_total',
      help: 'Source rows read',
      labelNames: ['mapping'],
      registers,
    });
    this.#fieldsWritten = new Counter({
      name: 'affinity_sync_fields_written_total',
      help: 'Field values written to Affinity',
      labelNames: ['mapping'],
      registers,
    });
    this.#entriesUpdated = new Counter({
      name: 'affinity_sync_entries_updated_total',
      help: 'List entries updated',
      labelNames: ['mapping'],
      registers,
    });
    this.#calls = new Counter({
      name: 'affinity_sync_api_calls_total',
      help: 'Affinity API calls, by kind (read, write)',
      labelNames: ['mapping', 'kind'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'affinity_sync_rate_limited_total',
      help: 'Affinity API responses 429 Too Many Requests',
      labelNames: ['mapping'],
      registers,
    });
    this.#limiterWait = new Counter({
      name: 'affinity_sync_limiter_wait_seconds_total',
      help: 'Seconds runs spent waiting for the rate limiter',
      labelNames: ['mapping'],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'affinity_sync_last_success_timestamp_seconds',
      help: 'Unix time at which the last succeeded run of the mapping finished',
      labelNames: ['mapping'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'affinity_sync_run_duration_seconds',
      help: 'Duration of sync runs',
      labelNames: ['mapping'],
      buckets: [1, 5, 15, 60, 300, 900, 3600, 10800],
      registers,
    });
    registerResultsMetrics(this.registry);
    this.#incremental = new IncrementalMetrics(this.registry);
    this.#health = new RunHealthMetrics(registers);
  }

  /** Adds one finished run. */
  recordRun(report: RunReport): void {
    const mapping = report.mapping;
    this.#runs.inc({ mapping, status: report.status });
    this.#rowsRead.inc({ mapping }, report.rows.read);
    this.#fieldsWritten.inc({ mapping }, report.fields.written);
    this.#entriesUpdated.inc({ mapping }, report.entries.updated);
    this.#calls.inc({ mapping, kind: 'read' }, report.calls.read);
    this.#calls.inc({ mapping, kind: 'write' }, report.calls.write);
    this.#rateLimited.inc({ mapping }, report.calls.rateLimited);
    this.#limiterWait.inc({ mapping }, report.limiterWaitMs / 1000);
    this.#duration.observe({ mapping }, report.durationMs / 1000);
    this.#incremental.recordRun(report);
    // Succeeded includes runs with warnings (within the mapping's tolerate:).
    if (report.status === 'succeeded') {
      this.#lastSuccess.set({ mapping }, Date.parse(report.finishedAt) / 1000);
    }
    this.#health.record(report);
  }
}
