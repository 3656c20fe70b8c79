import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type * as Snowflake from 'snowflake-sdk';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { errorCode } from '../util/error-code.js';
import { SessionSource } from './session-source.js';
import type { ColumnInfo, ColumnKind, Row, SourceError, SourceValue } from './source.js';
import type { SnowflakeSourceConfig } from './source-config.js';
import { causeText } from './source-failure.js';
import type { SourceOptions } from './source-options.js';

type Driver = typeof Snowflake;

let driver: Promise<Driver> | undefined;

/**
 * Loads snowflake-sdk on first use. Cloud platform detection (metadata-endpoint probes at module
 * load, telemetry only) is turned off unless the operator set it, so nothing unexpected leaves the host.
 */
function loadDriver(): Promise<Driver> {
  process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION'] ??= 'true';
  process.env['SF_TELEMETRY_DISABLE_CONNECTION_SHAPE'] ??= 'true';
  driver ??= import('snowflake-sdk').then((module) => (module.default ?? module) as Driver);
  return driver;
}

/**
 * Routes the driver's log into pino at warn. The driver's logger is process-wide: the last source
 * opened decides where it writes. A custom logger replaces its default winston file transport,
 * which would otherwise create `snowflake.log` in the working directory.
 */
function routeDriverLogs(snowflake: Driver, logger: Logger): void {
  const log = logger.child({ driver: 'snowflake-sdk' });
  snowflake.configure({
    logLevel: 'WARN',
    additionalLogToConsole: false,
    customLogger: {
      error: (message) => log.error(message),
      warn: (message) => {
        // Numbers are fetched as the server's text, so the driver's per-value double warning does not apply.
        if (!message.startsWith('Query result precision loss detected')) log.warn(message);
      },
      info: () => undefined,
      debug: () => undefined,
      trace: () => undefined,
    },
  });
}

/** A Snowflake query streamed through the driver's row stream (result chunks fetched as read). */
export class SnowflakeSource extends SessionSource<Snowflake.Connection> {
  constructor(
    private readonly config: SnowflakeSourceConfig,
    options: SourceOptions = {},
  ) {
    super('snowflake', options);
    registerSecret(config.password);
    registerSecret(config.privateKey);
    registerSecret(config.privateKeyPassphrase);
  }

  async describe(): Promise<ColumnInfo[]> {
    const connection = await this.connect();
    // describeOnly compiles the query and returns its result columns without running it.
    const statement = await new Promise<Snowflake.RowStatement>((resolve, reject) => {
      connection.execute({
        sqlText: this.config.query,
        describeOnly: true,
        complete: (error, stmt) =>
          error ? reject(this.queryFailure(error)) : resolve(stmt as Snowflake.RowStatement),
      });
    });
    return (statement.getColumns() ?? []).map(describeColumn);
  }

  protected async *stream(connection: Snowflake.Connection): AsyncGenerator<Row> {
    const statement = await new Promise<Snowflake.RowStatement>((resolve, reject) => {
      connection.execute({
        sqlText: this.config.query,
        streamResult: true,
        // NUMBER / DECIMAL as the server's decimal text: no rounding through a double.
        fetchAsString: ['Number'],
        complete: (error, stmt) =>
          error ? reject(this.queryFailure(error)) : resolve(stmt as Snowflake.RowStatement),
      });
    });
    const converters = (statement.getColumns() ?? []).map(converterFor);
    const rows: Readable = statement.streamRows();
    try {
      // The row stream holds at most rowStreamHighWaterMark rows plus the chunks being fetched.
      for await (const raw of rows) {
        const row: Row = {};
        for (const { name, convert } of converters) {
          const value = (raw as Record<string, unknown>)[name];
          row[name] = value === null || value === undefined ? null : convert(value);
        }
        yield row;
      }
    } catch (error) {
      throw this.queryFailure(error);
    } finally {
      rows.destroy();
    }
  }

  protected async release(connection: Snowflake.Connection): Promise<void> {
    if (!connection.isUp()) return;
    // Deletes the session on the server; a statement still running there is dropped with it.
    await new Promise<void>((resolve) => {
      connection.destroy((error) => {
        if (error) this.logger.warn({ err: error }, 'snowflake session delete failed');
        resolve();
      });
    });
  }

  protected async open(): Promise<Snowflake.Connection> {
    const snowflake = await loadDriver();
    routeDriverLogs(snowflake, this.logger);
    const c = this.config;
    const keyPair = c.privateKey !== undefined || c.privateKeyPath !== undefined;
    if (keyPair) await this.checkPrivateKey();
    let connection: Snowflake.Connection;
    try {
      connection = snowflake.createConnection({
        account: c.account,
        username: c.username,
        ...(keyPair
          ? {
              authenticator: 'SNOWFLAKE_JWT',
              ...(c.privateKey !== undefined ? { privateKey: c.privateKey } : {}),
              ...(c.privateKeyPath !== undefined ? { privateKeyPath: c.privateKeyPath } : {}),
              ...(c.privateKeyPassphrase !== undefined ? { privateKeyPass: c.privateKeyPassphrase } : {}),
            }
          : { password: c.password ?? '' }),
        ...(c.warehouse !== undefined ? { warehouse: c.warehouse } : {}),
        ...(c.database !== undefined ? { database: c.database } : {}),
        ...(c.schema !== undefined ? { schema: c.schema } : {}),
        ...(c.role !== undefined ? { role: c.role } : {}),
        ...(c.accessUrl !== undefined ? { accessUrl: c.accessUrl } : {}),
        rowStreamHighWaterMark: this.batchSize,
        // Two chunks in flight bounds memory to a few chunks whatever the result size.
        resultPrefetch: 2,
        // A failed run is retried by the scheduler; the driver's own login retries would only delay the report.
        sfRetryMaxLoginRetries: 0,
        clientSessionKeepAlive: false,
      });
    } catch (error) {
      throw this.failure(`invalid snowflake connection settings: ${causeText(error)}`, error);
    }
    try {
      // connectAsync resolves even when the login fails; only its callback carries the error.
      return await new Promise<Snowflake.Connection>((resolve, reject) => {
        connection
          .connectAsync((error, connected) => (error ? reject(error) : resolve(connected)))
          .catch(reject);
      });
    } catch (error) {
      throw this.connectFailure(error);
    }
  }

  /** Reads and decrypts the private key here, so a local key problem is not reported as a refused login. */
  private async checkPrivateKey(): Promise<void> {
    const c = this.config;
    const from =
      c.privateKeyPath !== undefined ? `source.privateKeyPath ("${c.privateKeyPath}")` : 'source.privateKey';
    let pem: string | Buffer;
    try {
      pem = c.privateKeyPath !== undefined ? await readFile(c.privateKeyPath) : (c.privateKey ?? '');
    } catch (error) {
      throw this.failure(`cannot read the snowflake private key file ${from}: ${causeText(error)}`, error);
    }
    try {
      createPrivateKey({
        key: pem,
        format: 'pem',
        ...(c.privateKeyPassphrase ? { passphrase: c.privateKeyPassphrase } : {}),
      });
    } catch (error) {
      const code = errorCode(error);
      const reason =
        code === 'ERR_OSSL_BAD_DECRYPT' || code === 'ERR_MISSING_PASSPHRASE'
          ? 'it is encrypted and source.privateKeyPassphrase is missing or wrong'
          : 'it is not a PEM private key (PKCS#8, BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)';
      throw this.failure(
        `cannot use the snowflake private key from ${from}: ${reason}${code ? ` (${code})` : ''}`,
        error,
      );
    }
  }

  private connectFailure(error: unknown): SourceError {
    const c = this.config;
    const _name = this.options.mappingName;
    const code = errorCode(error);
    const where = c.accessUrl ? hostOf(c.accessUrl) : `${c.account}.snowflakecomputing.com`;
    const network = networkCode(error);
    if (network) {
      const reason =
        network === 'ECONNREFUSED'
          ? 'connection refused'
          : network === 'ENOTFOUND' || network === 'EAI_AGAIN'
            ? 'host not found'
            : network === 'ETIMEDOUT' || network === 'ECONNABORTED'
              ? 'timed out'
              : 'network error';
      return this.failure(
        `cannot reach snowflake at ${where}: ${reason} (${network}); check source.account${c.accessUrl ? ' and source.accessUrl' : ''} and the network`,
        error,
      );
    }
    const hint =
      c.password !== undefined
        ? 'check source.username and source.password'
        : 'check source.username, the private key (and passphrase) and that its public key is set on the user (ALTER USER … SET RSA_PUBLIC_KEY)';
    return this.failure(
      `snowflake login failed for user "${c.username}" at ${where}: ${causeText(error)}${code ? ` (${code})` : ''}; ${hint}`,
      error,
    );
  }

  private queryFailure(error: unknown): SourceError {
    const code = errorCode(error);
    const sqlState = fieldOf(error, 'sqlState');
    const codes = [code, sqlState ? `SQLSTATE ${sqlState}` : undefined].filter(Boolean).join(', ');
    return this.failure(
      `snowflake query failed: ${causeText(error).replace(/\s*\n\s*/g, ' ')}${codes ? ` (${codes})` : ''}`,
      error,
    );
  }
}

function fieldOf(error: unknown, key: string): string | undefined {
  if (typeof error !== 'object' || error === null || !(key in error)) return undefined;
  const value = (error as Record<string, unknown>)[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** The socket error code (ECONNREFUSED, ENOTFOUND, …) under the driver's network error, if any. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = fieldOf(current, 'code');
    if (code && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

type Convert = (value: unknown) => SourceValue;

/** How each column's driver value becomes a SourceValue. */
function converterFor(column: Snowflake.Column): { name: string; convert: Convert } {
  const name = column.getName();
  const type = column.getType().toLowerCase();
  // REAL is a double on the server too, so a JS number holds it exactly; FIXED stays decimal text.
  if (type === 'real') return { name, convert: (v) => Number(v) };
  if (column.isNumber()) return { name, convert: (v) => String(v) };
  if (column.isDate()) {
    // The driver builds DATE values at UTC midnight: read the calendar date in UTC.
    return {
      name,
      convert: (v) => {
        const d = v as Date;
        return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      },
    };
  }
  if (column.isTimestamp()) return { name, convert: (v) => new Date((v as Date).getTime()) };
  if (column.isBinary()) return { name, convert: (v) => Buffer.from(v as Uint8Array).toString('hex') };
  if (column.isBoolean()) return { name, convert: (v) => v === true || v === 'TRUE' || v === '1' };
  return { name, convert: (v) => v as SourceValue };
}

function describeColumn(column: Snowflake.Column): ColumnInfo {
  const type = column.getType().toLowerCase();
  let kind: ColumnKind;
  let nativeType = type.toUpperCase();
  if (type === 'fixed') {
    kind = 'number';
    nativeType = `NUMBER(${column.getPrecision()},${column.getScale()})`;
  } else if (type === 'real') kind = 'number';
  else if (column.isString()) {
    kind = 'text';
    nativeType = 'VARCHAR';
  } else if (column.isDate()) kind = 'date';
  else if (column.isTimestamp()) kind = 'timestamp';
  else if (column.isBoolean()) kind = 'boolean';
  else if (column.isTime()) kind = 'text';
  else if (column.isArray()) kind = 'array';
  else if (column.isVariant() || column.isObject() || column.isMap()) kind = 'json';
  else kind = 'unknown';
  return { name: column.getName(), kind, nativeType };
}
