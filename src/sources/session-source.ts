import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { ColumnInfo, Row, Source, SourceError } from './source.js';
import { sourceFailure } from './source-failure.js';
import { defaultBatchSize, type SourceOptions } from './source-options.js';

type SourceType = SourceError['sourceType'];

/**
 * The lifecycle every driver shares: one session opened on first use, rows iterable once, and the
 * session released when the rows end — read to the end, left early by the consumer, or failed —
 * and on close(). Drivers supply how to open, stream over and release their session.
 */
export abstract class SessionSource<S> implements Source {
  private session: S | undefined;
  private opening: Promise<S> | undefined;
  private iterated = false;
  private closed = false;
  protected readonly logger: Logger;
  /** Rows fetched per round trip, for drivers that fetch in batches. */
  protected readonly batchSize: number;

  constructor(
    protected readonly sourceType: SourceType,
    protected readonly options: SourceOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? defaultBatchSize;
  }

  /** True while a session with the server (or the embedded database) is open. */
  get connected(): boolean {
    return this.session !== undefined;
  }

  abstract describe(): Promise<ColumnInfo[]>;

  /** Opens a session; throws a SourceError naming the cause. */
  protected abstract open(): Promise<S>;

  /** Streams the query's rows over an open session; throws SourceErrors. */
  protected abstract stream(session: S): AsyncGenerator<Row>;

  /** Ends a session; a failure here is logged, never thrown. */
  protected abstract release(session: S): Promise<void>;

  rows(): AsyncIterable<Row> {
    if (this.iterated) throw this.failure(`${this.sourceType} rows were already read`);
    this.iterated = true;
    return this.iterate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.opening;
    this.opening = undefined;
    const session = this.session ?? (pending ? await pending.catch(() => undefined) : undefined);
    this.session = undefined;
    if (session === undefined) return;
    try {
      await this.release(session);
    } catch (error) {
      this.logger.warn({ err: error }, `${this.sourceType} close failed`);
    }
  }

  /** The open session, opening it on first use; describe() then rows() share it. */
  protected connect(): Promise<S> {
    if (this.closed) return Promise.reject(this.failure(`${this.sourceType} source is closed`));
    this.opening ??= this.open().then(
      (session) => {
        this.session = session;
        return session;
      },
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }

  protected failure(message: string, cause?: unknown): SourceError {
    return sourceFailure(this.sourceType, this.options.mappingName, message, cause);
  }

  private async *iterate(): AsyncGenerator<Row> {
    try {
      yield* this.stream(await this.connect());
    } finally {
      await this.close();
    }
  }
}
