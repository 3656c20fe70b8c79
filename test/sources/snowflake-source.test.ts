import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { clearSecrets } from '../../src/log/secrets.js';
import { openSource } from '../../src/sources/open-source.js';
import { SnowflakeSource } from '../../src/sources/snowflake-source.js';
import { SourceError } from '../../src/sources/source.js';
import type { SnowflakeSourceConfig } from '../../src/sources/source-config.js';
import { closedPort } from '../support/free-port.js';
import { type SnowflakeStub, type StubResult, startSnowflakeStub } from '../support/snowflake-stub.js';
import { consumeMeasuringHeap } from './heap-probe.js';

const run = promisify(execFile);

const password = 'correct-horse-battery-9';
const passphrase = 'key-passphrase-42';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const encryptedKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const strangerKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

// Snowflake's JSON result format: NUMBER as decimal text, DATE as days since epoch, TIMESTAMP_NTZ
// as epoch seconds with nanoseconds, BOOLEAN as "1"/"0", VARIANT as JSON text.
const typed: StubResult = {
  columns: [
    { name: 'ID', type: 'fixed', precision: 38, scale: 0 },
    { name: 'AMOUNT', type: 'fixed', precision: 38, scale: 3 },
    { name: 'DAY', type: 'date' },
    { name: 'AT', type: 'timestamp_ntz', scale: 9 },
    { name: 'NAME', type: 'text' },
    { name: 'RATIO', type: 'real' },
    { name: 'FLAG', type: 'boolean' },
    { name: 'DOC', type: 'variant' },
    { name: 'NOTHING', type: 'text' },
  ],
  rowCount: 1,
  row: () => [
    '9007199254740993',
    '12345678901234567890.123',
    '19737',
    '1705312800.000000000',
    'Acme',
    '0.5',
    '1',
    '{"a":[1,"x"]}',
    null,
  ],
};

const large: StubResult = {
  columns: [
    { name: 'ID', type: 'fixed', precision: 38, scale: 0 },
    { name: 'PAD', type: 'text' },
  ],
  rowCount: 200_000,
  row: (i) => [String(i), 'x'.repeat(100)],
  chunkRows: 10_000,
};

let stub: SnowflakeStub;
// A second stub whose user holds the encrypted key, read from a file.
let stub2: SnowflakeStub;
let dir: string;
let keyPath: string;

function config(overrides: Partial<SnowflakeSourceConfig> = {}): SnowflakeSourceConfig {
  return {
    type: 'snowflake',
    account: 'stubaccount',
    username: 'loader',
    password,
    query: 'select * from typed',
    accessUrl: stub.url,
    ...overrides,
  } as SnowflakeSourceConfig;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

async function readAll(source: { rows(): AsyncIterable<unknown> }): Promise<unknown[]> {
  const rows = [];
  for await (const row of source.rows()) rows.push(row);
  return rows;
}

beforeAll(async () => {
  expect(existsSync('snowflake.log')).toBe(false);
  dir = await mkdtemp(join(tmpdir(), 'snowflake-source-'));
  keyPath = join(dir, 'rsa_key.p8');
  await writeFile(keyPath, encryptedKey.privateKey, { mode: 0o600 });
  stub = await startSnowflakeStub({
    account: 'stubaccount',
    username: 'loader',
    password,
    publicKey: keys.publicKey,
    query: (sql) => {
      if (sql.includes('analytics.missing')) {
        return {
          error: {
            code: '002003',
            sqlState: '42S02',
            message: "SQL compilation error:\nObject 'ANALYTICS.MISSING' does not exist or not authorized.",
          },
        };
      }
      if (sql.includes('large')) return large;
      if (sql.includes('odd_variant')) {
        return { columns: [{ name: 'DOC', type: 'variant' }], rowCount: 1, row: () => ['{"a": NaN}'] };
      }
      return typed;
    },
  });
  stub2 = await startSnowflakeStub({
    account: 'stubaccount',
    username: 'keyfile_user',
    publicKey: encryptedKey.publicKey,
    query: () => typed,
  });
});

afterAll(async () => {
  await stub?.close();
  await stub2?.close();
  await rm(dir, { recursive: true, force: true });
  clearSecrets();
});

describe('SnowflakeSource', () => {
  it('hands values over without precision loss (password auth)', async () => {
    const rows = await readAll(openSource(config(), {}));
    expect(rows).toEqual([
      {
        ID: '9007199254740993',
        AMOUNT: '12345678901234567890.123',
        DAY: '2024-01-15',
        AT: new Date('2024-01-15T10:00:00Z'),
        NAME: 'Acme',
        RATIO: 0.5,
        FLAG: true,
        DOC: { a: [1, 'x'] },
        NOTHING: null,
      },
    ]);
    expect(stub.events.filter((e) => e.kind === 'login').at(-1)).toEqual({
      kind: 'login',
      user: 'loader',
      authenticator: 'SNOWFLAKE',
      ok: true,
    });
    expect(stub.openSessions()).toEqual([]);
  });

  it('describes the result columns with a describe-only query', async () => {
    const source = openSource(config(), {});
    const columns = await source.describe();
    await source.close();
    expect(columns).toEqual([
      { name: 'ID', kind: 'number', nativeType: 'NUMBER(38,0)' },
      { name: 'AMOUNT', kind: 'number', nativeType: 'NUMBER(38,3)' },
      { name: 'DAY', kind: 'date', nativeType: 'DATE' },
      { name: 'AT', kind: 'timestamp', nativeType: 'TIMESTAMP_NTZ' },
      { name: 'NAME', kind: 'text', nativeType: 'VARCHAR' },
      { name: 'RATIO', kind: 'number', nativeType: 'REAL' },
      { name: 'FLAG', kind: 'boolean', nativeType: 'BOOLEAN' },
      { name: 'DOC', kind: 'json', nativeType: 'VARIANT' },
      { name: 'NOTHING', kind: 'text', nativeType: 'VARCHAR' },
    ]);
    expect(stub.events.filter((e) => e.kind === 'query').at(-1)).toMatchObject({ describeOnly: true });
    expect(stub.openSessions()).toEqual([]);
  });

  it('logs in with a key pair (JWT signed by privateKey)', async () => {
    const rows = await readAll(openSource(config({ password: undefined, privateKey: keys.privateKey }), {}));
    expect(rows).toHaveLength(1);
    expect(stub.events.filter((e) => e.kind === 'login').at(-1)).toEqual({
      kind: 'login',
      user: 'loader',
      authenticator: 'SNOWFLAKE_JWT',
      ok: true,
    });
  });

  it('logs in with an encrypted key file (privateKeyPath + privateKeyPassphrase)', async () => {
    const source = openSource(
      {
        type: 'snowflake',
        account: 'stubaccount',
        username: 'keyfile_user',
        privateKeyPath: keyPath,
        privateKeyPassphrase: passphrase,
        query: 'select 1',
        accessUrl: stub2.url,
      },
      {},
    );
    expect(await readAll(source)).toHaveLength(1);
    expect(stub2.events.filter((e) => e.kind === 'login')).toEqual([
      { kind: 'login', user: 'keyfile_user', authenticator: 'SNOWFLAKE_JWT', ok: true },
    ]);
  });

  it('keeps a DATE on its calendar day under TZ=Asia/Tokyo', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/sources/print-rows.ts', JSON.stringify(config())],
      { env: { ...process.env, TZ: 'Asia/Tokyo' } },
    );
    const printed = JSON.parse(stdout) as { tz: string; rows: Array<Record<string, unknown>> };
    expect(printed.tz).toBe('Asia/Tokyo');
    expect(printed.rows[0]).toMatchObject({ DAY: '2024-01-15', AT: '2024-01-15T10:00:00.000Z' });
  });

  it('streams 200,000 rows across result chunks with bounded heap', async () => {
    const before = stub.events.length;
    const source = new SnowflakeSource(config({ query: 'select * from large' }), { batchSize: 1000 });
    const { count, peakGrowthMb } = await consumeMeasuringHeap(source.rows(), {
      check: (row, i) => {
        if (row['ID'] !== String(i)) throw new Error(`row ${i} out of order: ${String(row['ID'])}`);
      },
    });
    expect(count).toBe(200_000);
    console.info(`snowflake: 200,000 rows, peak retained heap growth ${peakGrowthMb.toFixed(1)} MB`);
    expect(peakGrowthMb).toBeLessThan(64);
    const chunks = stub.events.slice(before).filter((e) => e.kind === 'chunk');
    expect(chunks).toHaveLength(19);
    expect(source.connected).toBe(false);
    expect(stub.openSessions()).toEqual([]);
  });

  it('deletes the session when the consumer stops early', async () => {
    const before = stub.events.length;
    const source = new SnowflakeSource(config({ query: 'select * from large' }), {});
    let seen = 0;
    for await (const _ of source.rows()) {
      if (seen === 0) expect(stub.openSessions()).toHaveLength(1);
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
    expect(source.connected).toBe(false);
    expect(stub.openSessions()).toEqual([]);
    expect(stub.events.slice(before).filter((e) => e.kind === 'session-delete')).toHaveLength(1);
  });

  it('routes driver warnings into pino and writes no snowflake.log', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    const rows = await readAll(openSource(config({ query: 'select * from odd_variant' }), { logger }));
    expect(rows).toEqual([{ DOC: { a: Number.NaN } }]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        driver: 'snowflake-sdk',
        msg: expect.stringContaining('Column "DOC" contains a non-JSON-compliant variant value'),
      }),
    );
    expect(existsSync('snowflake.log')).toBe(false);
  });

  it('reports bad SQL with Snowflake code and SQLSTATE, and deletes the session', async () => {
    const source = new SnowflakeSource(config({ query: 'select * from analytics.missing' }), {
      mappingName: 'portfolio-metrics',
    });
    const error = await failure(readAll(source));
    expect(error.message).toBe(
      'mapping "portfolio-metrics": snowflake query failed: SQL compilation error: Object \'ANALYTICS.MISSING\' does not exist or not authorized. (002003, SQLSTATE 42S02)',
    );
    expect(error.sourceType).toBe('snowflake');
    expect(source.connected).toBe(false);
    expect(stub.openSessions()).toEqual([]);
  });

  it('reports a wrong password without the password', async () => {
    const source = openSource(config({ password: 'wrong-password-77' }), {
      mappingName: 'portfolio-metrics',
    });
    const error = await failure(source.describe());
    const host = new URL(stub.url).host;
    expect(error.message).toBe(
      `mapping "portfolio-metrics": snowflake login failed for user "loader" at ${host}: Incorrect username or password was specified. (390100); check source.username and source.password`,
    );
    expect(error.message).not.toContain('wrong-password-77');
  });

  it('reports a key the user does not hold', async () => {
    const source = openSource(config({ password: undefined, privateKey: strangerKey.privateKey }), {
      mappingName: 'portfolio-metrics',
    });
    const error = await failure(source.describe());
    const host = new URL(stub.url).host;
    expect(error.message).toBe(
      `mapping "portfolio-metrics": snowflake login failed for user "loader" at ${host}: JWT token is invalid. (390144); check source.username, the private key (and passphrase) and that its public key is set on the user (ALTER USER … SET RSA_PUBLIC_KEY)`,
    );
  });

  it('reports a wrong key passphrase without the key', async () => {
    const source = openSource(
      config({ password: undefined, privateKeyPath: keyPath, privateKeyPassphrase: 'not-the-passphrase' }),
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(source.describe());
    expect(error.message).toBe(
      `mapping "portfolio-metrics": cannot use the snowflake private key from source.privateKeyPath ("${keyPath}"): it is encrypted and source.privateKeyPassphrase is missing or wrong (ERR_OSSL_BAD_DECRYPT)`,
    );
    expect(error.message).not.toContain('not-the-passphrase');
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('reports private key text that is not a key', async () => {
    const source = openSource(
      config({ password: undefined, privateKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }),
      {
        mappingName: 'portfolio-metrics',
      },
    );
    const error = await failure(source.describe());
    expect(error.message).toBe(
      'mapping "portfolio-metrics": cannot use the snowflake private key from source.privateKey: it is not a PEM private key (PKCS#8, BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY) (ERR_OSSL_UNSUPPORTED)',
    );
    expect(error.message).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const source = openSource(config({ accessUrl: `http://127.0.0.1:${port}` }), {
      mappingName: 'portfolio-metrics',
    });
    const error = await failure(source.describe());
    expect(error.message).toBe(
      `mapping "portfolio-metrics": cannot reach snowflake at 127.0.0.1:${port}: connection refused (ECONNREFUSED); check source.account and source.accessUrl and the network`,
    );
    expect(error.message).not.toContain(password);
  });
});
