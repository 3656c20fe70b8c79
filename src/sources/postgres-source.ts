import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { registerSecret } from '../log/secrets.js';
import { errorCode } from '../util/error-code.js';
import { redactUrl } from './redact-url.js';
import { SessionSource } from './session-source.js';
import type { ColumnInfo, ColumnKind, Row, SourceError } from './source.js';
import type { PostgresSourceConfig } from './source-config.js';
import { causeText } from './source-failure.js';
import type { SourceOptions } from './source-options.js';

// Type OIDs whose default pg parsing would lose precision or shift a calendar date.
const oid = {
  int8: 20,
  json: 114,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
  numericArray: 1231,
  dateArray: 1182,
  timestampArray: 1115,
  textArray: 1009,
} as const;

type TextParser = (value: string) => unknown;

const builtinParser = (id: number): TextParser => pg.types.getTypeParser(id, 'text') as TextParser;
const parseTimestamptz = builtinParser(oid.timestamptz);
const parseTextArray = builtinParser(oid.textArray) as (value: string) => Array<string | null>;

// A timestamp without zone is read as UTC: the process time zone must not move warehouse values.
const parseTimestampUtc = (value: string): unknown =>
  /^-?infinity$/.test(value) ? value : parseTimestamptz(`${value}+00`);

const overrides = new Map<number, TextParser>([
  [oid.date, (value) => value],
  [oid.timestamp, parseTimestampUtc],
  [oid.numericArray, parseTextArray],
  [oid.dateArray, parseTextArray],
  [
    oid.timestampArray,
    (value) => parseTextArray(value).map((v) => (v === null ? null : parseTimestampUtc(v))),
  ],
]);

/** Per-client type parsers (the global pg.types registry is left alone for other code). */
const clientTypes = {
  getTypeParser: (id: number, format?: 'text' | 'binary') =>
    format !== 'binary' && overrides.has(id)
      ? overrides.get(id)
      : pg.types.getTypeParser(id, format ?? 'text'),
} as pg.CustomTypesConfig; // pg's overloaded parser type cannot be written as one function signature

/**
 * pg-query-stream's cleanup after an error waits for a ReadyForQuery that a dead connection never
 * sends, so a connection lost mid-stream (server restart, pg_terminate_backend) left the rows
 * iteration pending forever — and the CLI exiting 0 with no report. This stream also finishes its
 * cleanup when the connection ends, so the iteration rejects with the server's error.
 */
class LossAwareQueryStream extends QueryStream {
  #ended = false;
  #onLoss: (() => void) | undefined;

  constructor(text: string, batchSize: number, client: pg.Client) {
    super(text, [], { batchSize });
    const onEnd = () => {
      this.#ended = true;
      this.#onLoss?.();
    };
    client.once('end', onEnd);
    this.once('close', () => client.off('end', onEnd));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    let called = false;
    const finish = (cleanupError?: Error | null) => {
      if (called) return;
      called = true;
      this.#onLoss = undefined;
      callback(cleanupError ?? error);
    };
    if (this.#ended) {
      finish();
      return;
    }
    this.#onLoss = () => finish();
    super._destroy(error as Error, finish);
  }
}

/** A PostgreSQL query streamed through a server-side cursor, `batchSize` rows per fetch. */
export class PostgresSource extends SessionSource<pg.Client> {
  private readonly where: string;

  constructor(
    private readonly config: PostgresSourceConfig,
    options: SourceOptions = {},
  ) {
    super('postgres', options);
    this.where = redactUrl(config.url);
    registerSecret(passwordOf(config.url));
  }

  async describe(): Promise<ColumnInfo[]> {
    const client = await this.connect();
    const sql = `select * from (\n${stripTrailingSemicolons(this.config.query)}\n) as affinity_sync_describe limit 0`;
    let fields: pg.FieldDef[];
    try {
      fields = (await client.query(sql)).fields;
    } catch (error) {
      throw this.queryFailure(error);
    }
    if (fields.length === 0) return [];
    try {
      const types = await client.query<{ name: string; category: string }>(
        `select format_type(u.type_oid, u.type_mod) as name, t.typcategory as category
           from unnest($1::oid[], $2::int[]) with ordinality as u(type_oid, type_mod, i)
           join pg_type t on t.oid = u.type_oid
          order by u.i`,
        [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
      );
      return fields.map((f, i) => {
        const type = types.rows[i];
        return {
          name: f.name,
          kind: columnKind(f.dataTypeID, type?.category ?? ''),
          nativeType: type?.name ?? String(f.dataTypeID),
        };
      });
    } catch (error) {
      throw this.queryFailure(error);
    }
  }

  protected async *stream(client: pg.Client): AsyncGenerator<Row> {
    const rows = client.query(new LossAwareQueryStream(this.config.query, this.batchSize, client));
    try {
      // The stream pauses when its buffer holds batchSize rows: backpressure from the consumer.
      for await (const row of rows) yield row as Row;
    } catch (error) {
      throw this.queryFailure(error);
    }
  }

  protected release(client: pg.Client): Promise<void> {
    return client.end();
  }

  protected async open(): Promise<pg.Client> {
    let client: pg.Client;
    try {
      client = new pg.Client({
        connectionString: this.config.url,
        application_name: this.options.mappingName
          ? `affinity-sync:${this.options.mappingName}`
          : 'affinity-sync',
        types: clientTypes,
        connectionTimeoutMillis: 15_000,
      });
    } catch (error) {
      // pg parses the URL here; its own message is a bare "Invalid URL".
      throw this.failure(
        `source.url is not a valid PostgreSQL URL (${causeText(error)}); write it as postgres://user:password@host:5432/database, percent-encoding special characters (e.g. @ as %40) in the user name and password`,
        error,
      );
    }
    // A server that drops the connection mid-stream surfaces through the running query.
    client.on('error', (error) => this.logger.warn({ err: error }, 'postgres connection error'));
    try {
      await client.connect();
      return client;
    } catch (error) {
      throw this.connectFailure(error);
    }
  }

  private connectFailure(error: unknown): SourceError {
    const _name = this.options.mappingName;
    const code = errorCode(error);
    const { host, port } = hostOf(this.config.url);
    switch (code) {
      case 'ECONNREFUSED':
        return this.failure(
          `cannot connect to postgres at ${host}:${port}: connection refused (ECONNREFUSED); check the host and port in source.url and that the server is running`,
          error,
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return this.failure(
          `cannot connect to postgres: host "${host}" not found (${code}); check the host in source.url`,
          error,
        );
      case '28P01':
      case '28000':
        return this.failure(
          `postgres login failed at ${host}:${port}: ${causeText(error)} (${code}); check the user and password in source.url`,
          error,
        );
      case '3D000':
        return this.failure(
          `postgres login failed at ${host}:${port}: ${causeText(error)} (${code}); check the database name in source.url`,
          error,
        );
      default:
        return this.failure(
          `cannot connect to postgres at ${this.where}: ${causeText(error)}${code ? ` (${code})` : ''}`,
          error,
        );
    }
  }

  private queryFailure(error: unknown): SourceError {
    const code = errorCode(error);
    return this.failure(`postgres query failed: ${causeText(error)}${code ? ` (${code})` : ''}`, error);
  }
}

/**
 * The password of a connection URL, to register as a secret. A URL that does not parse (so pg
 * will refuse it) still has its user info read by hand: its password must never be echoed.
 */
function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
    const colon = userInfo?.indexOf(':') ?? -1;
    return colon >= 0 ? userInfo?.slice(colon + 1) : undefined;
  }
}

function stripTrailingSemicolons(query: string): string {
  return query.replace(/[\s;]+$/, '');
}

function hostOf(url: string): { host: string; port: string } {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname || 'localhost', port: parsed.port || '5432' };
  } catch {
    return { host: '(invalid URL)', port: '' };
  }
}

/** ColumnKind from a type OID, falling back to PostgreSQL's type category (pg_type.typcategory). */
function columnKind(typeOid: number, category: string): ColumnKind {
  switch (typeOid) {
    case oid.date:
      return 'date';
    case oid.timestamp:
    case oid.timestamptz:
      return 'timestamp';
    case oid.json:
    case oid.jsonb:
      return 'json';
  }
  switch (category) {
    case 'N':
      return 'number';
    case 'S':
    case 'E':
    case 'D':
    case 'I':
    case 'T':
      return 'text';
    case 'B':
      return 'boolean';
    case 'A':
      return 'array';
    default:
      return 'unknown';
  }
}
