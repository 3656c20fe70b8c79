import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';
import { redactUrl } from '../sources/redact-url.js';
import type { Change } from '../sync/change-log.js';
import type { RunReport } from '../sync/report.js';
import type { RunSink, RunStart, StoredProblem } from '../sync/run-sink.js';
import { migrateResults } from './migrate-results.js';
import {
  beginRunStatement,
  changesStatement,
  creationsStatement,
  failRunStatement,
  finishRunStatement,
  problemsStatement,
  type Statement,
} from './result-rows.js';
import {
  closeResults,
  connectResults,
  defaultConnectTimeoutMs,
  defaultStatementTimeoutMs,
  describeResultsError,
  nameResultsStore,
  type ResultsTimeouts,
} from './results-connection.js';
import { countResultsFailure } from './results-metrics.js';
import { quoteIdent } from './results-tables.js';

export interface PostgresRunSinkOptions extends ResultsTimeouts {
  /** RESULTS_DATABASE_URL. */
  url: string;
  /** RESULTS_SCHEMA. */
  schema: string;
  logger: Logger;
  /** Rows per INSERT statement. @defaultValue 1000 */
  batchRows?: number;
  /** Unwritten rows beyond which `changes` / `problems` wait for the backlog. @defaultValue 20000 */
  highWaterRows?: number;
  /** Longest `finish` / `fail` wait for the last rows, ms. @defaultValue connect + statement timeout */
  finishTimeoutMs?: number;
}

/**
 * The results store's sink for one run: statements go one after another on one connection (opened
 * and migrated by the first), in the background. The first failure warns once, counts once in
 * `affinity_sync_results_store_failures_total` and turns the sink into a no-op for the run.
 */
export class PostgresRunSink implements RunSink {
  readonly #options: PostgresRunSinkOptions;
  readonly #schema: string;
  #chain: Promise<void> = Promise.resolve();
  #backlog = 0;
  #failure: string | undefined;
  #ended = false;
  #client: pg.Client | undefined;
  #run: RunStart | undefined;
  #changeSeq = 0;
  #problemSeq = 0;

  constructor(options: PostgresRunSinkOptions) {
    this.#options = options;
    this.#schema = quoteIdent(options.schema);
  }

  begin(run: RunStart): void {
    this.#run = run;
    this.#enqueue(0, beginRunStatement(this.#schema, run));
  }

  async changes(batch: readonly Change[]): Promise<void> {
    const run = this.#run;
    if (!run || !this.#open() || batch.length === 0) return;
    for (const chunk of this.#chunks(scrubDeep(batch))) {
      const first = this.#changeSeq + 1;
      this.#changeSeq += chunk.length;
      this.#enqueue(chunk.length, changesStatement(this.#schema, run.runId, first, chunk));
    }
    await this.#belowHighWater();
  }

  async problems(batch: readonly StoredProblem[]): Promise<void> {
    const run = this.#run;
    if (!run || !this.#open() || batch.length === 0) return;
    for (const chunk of this.#chunks(scrubDeep(batch))) {
      const first = this.#problemSeq + 1;
      this.#problemSeq += chunk.length;
      this.#enqueue(chunk.length, problemsStatement(this.#schema, run.runId, first, chunk));
    }
    await this.#belowHighWater();
  }

  async finish(report: RunReport): Promise<void> {
    this.#run ??= report;
    this.#enqueue(0, finishRunStatement(this.#schema, scrubDeep(report)));
    const creations = report.creations ?? [];
    if (creations.length > 0)
      this.#enqueue(0, creationsStatement(this.#schema, report.runId, scrubDeep(creations)));
    await this.#settle();
  }

  async fail(reason: string): Promise<void> {
    const run = this.#run;
    if (run) this.#enqueue(0, failRunStatement(this.#schema, run, scrubDeep(reason), new Date()));
    await this.#settle();
  }

  #open(): boolean {
    return this.#failure === undefined && !this.#ended;
  }

  *#chunks<T>(rows: readonly T[]): Generator<readonly T[]> {
    const size = this.#options.batchRows ?? 1000;
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }

  #enqueue(rows: number, statement: Statement): void {
    if (!this.#open()) return;
    this.#backlog += rows;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#failure !== undefined) return;
        const client = await this.#connect();
        await client.query(statement);
      } catch (error) {
        this.#fail(error);
      } finally {
        this.#backlog -= rows;
      }
    });
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = await connectResults(this.#options.url, this.#options, (error) => this.#fail(error));
    if (this.#ended) {
      // The run gave up waiting while this connection was being made.
      await closeResults(client);
      throw new Error('connected after the run had finished');
    }
    this.#client = client;
    await migrateResults(client, this.#options.schema);
    return client;
  }

  async #belowHighWater(): Promise<void> {
    if (this.#backlog > (this.#options.highWaterRows ?? 20_000)) await this.#chain;
  }

  async #settle(): Promise<void> {
    const { connectTimeoutMs = defaultConnectTimeoutMs, statementTimeoutMs = defaultStatementTimeoutMs } =
      this.#options;
    const limitMs = this.#options.finishTimeoutMs ?? connectTimeoutMs + statementTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), limitMs);
    });
    const outcome = await Promise.race([this.#chain.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late')
      this.#fail(new Error(`did not finish writing within ${limitMs / 1000}s; timeout`));
    this.#ended = true;
    await closeResults(this.#client);
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined || this.#ended) return;
    const reason = describeResultsError(error);
    this.#failure = reason;
    const run = this.#run;
    const mapping = run?.mapping ?? 'unknown';
    countResultsFailure(mapping);
    this.#options.logger.warn(
      {
        resultsStore: redactUrl(this.#options.url),
        resultsSchema: this.#options.schema,
        mapping,
        runId: run?.runId,
        err: reason,
      },
      `${nameResultsStore(this.#options.url, this.#options.schema)}: ${reason}; run ${run?.runId ?? ''} of mapping "${mapping}" is not (fully) recorded there — the sync goes on and its report is unaffected`,
    );
  }
}
