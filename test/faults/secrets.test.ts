import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { type RunningWorker, startWorker } from '../../src/worker/start-worker.js';
import { startPgAuthRejectingStub } from '../sources/pg-auth-stub.js';
import { closedPort } from '../support/free-port.js';
import { RedisServer } from '../support/redis-server.js';
import { databaseUrl, isolatedSchema, uniqueName } from '../support/services.js';
import { type SnowflakeStub, startSnowflakeStub } from '../support/snowflake-stub.js';
import { until } from '../support/until.js';
import {
  capturedLogger,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  runCli,
  runInProcess,
  sql,
} from './support.js';

// The whole flow with known secrets — Affinity key, a Postgres password with URL-special
// characters, a Snowflake private key and its passphrase, a Redis password, the worker's HTTP
// token — then every output searched for them: stdout, stderr (log lines at debug), JSON reports,
// error messages of failing runs, the worker's /metrics, /healthz, history, and every Redis key.

const n = 20;
const secrets = {
  apiKey: 'sk-live-SECRET-affinity-8d2f61c0',
  wrongKey: 'sk-live-SECRET-wrong-0b7e55aa',
  pgPassword: 'Pg$ecret/Pass@word:91',
  passphrase: 'sf-SECRET-passphrase-4410',
  redisPassword: 'redis-SECRET-pw-7731',
  httpToken: 'token-SECRET-http-52c9e1',
};
const keyPair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: secrets.passphrase },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
// Every text a leak could take: the raw values, the password as a URL carries it, the key's lines.
const needles = [
  ...Object.values(secrets),
  encodeURIComponent(secrets.pgPassword),
  ...keyPair.privateKey.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')),
];

function expectNoSecret(where: string, text: string): void {
  for (const needle of needles) {
    if (text.includes(needle)) throw new Error(`${where} contains the secret "${needle}":\n${text}`);
  }
}

describe('secrets never leave the process', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let role: string;
  let sim: RunningSimulator;
  let snowflake: SnowflakeStub;
  let refusing: Awaited<ReturnType<typeof startPgAuthRejectingStub>>;
  let redis: RedisServer;
  let dir: string;
  let warehouseUrl: string;
  let closedUrl: string;
  let refusedUrl: string;

  beforeAll(async () => {
    db = await isolatedSchema('faults_secret');
    role = uniqueName('faults_secret').toLowerCase();
    await sql(db.url, portfolioTableSql('portfolio', n));
    await sql(
      db.url,
      `create role ${role} login password '${secrets.pgPassword}';
       grant usage on schema "${db.schema}" to ${role};
       grant select on all tables in schema "${db.schema}" to ${role};`,
    );
    const withRole = (port: string) => {
      const url = new URL(db.url);
      url.username = role;
      url.password = encodeURIComponent(secrets.pgPassword);
      url.port = port;
      return url.toString();
    };
    warehouseUrl = withRole(new URL(db.url).port || '5432');
    refusing = await startPgAuthRejectingStub();
    refusedUrl = withRole(String(refusing.port));
    closedUrl = withRole(String(await closedPort()));

    snowflake = await startSnowflakeStub({
      username: 'loader',
      publicKey: keyPair.publicKey,
      query: (text) =>
        /missing_table/i.test(text)
          ? {
              error: {
                code: '002003',
                message: "SQL compilation error:\nObject 'MISSING_TABLE' does not exist or not authorized.",
                sqlState: '42S02',
              },
            }
          : {
              columns: [
                { name: 'company_id', type: 'fixed', precision: 38, scale: 0 },
                { name: 'sector', type: 'text' },
              ],
              rowCount: n,
              row: (i) => [String(i + 1), `Sector ${i + 1}`],
            },
    });
    redis = await RedisServer.start({ password: secrets.redisPassword });
    sim = await startSimulator({
      apiKey: secrets.apiKey,
      fixture: portfolioFixture(n),
      rateLimit: { limit: 100_000, windowSeconds: 60 },
    });

    dir = await mkdtemp(join(tmpdir(), 'faults-secrets-'));
    const pg = (name: string, urlVar: string, query: string) =>
      portfolioMapping(name, `  type: postgres\n  url: \${${urlVar}}\n  query: ${query}`);
    const sf = (name: string, query: string) =>
      `name: ${name}
source:
  type: snowflake
  account: stubaccount
  username: loader
  privateKey: \${SNOWFLAKE_PRIVATE_KEY}
  privateKeyPassphrase: \${SNOWFLAKE_PASSPHRASE}
  accessUrl: ${snowflake.url}
  query: ${query}
list: 1001
match:
  - column: company_id
    by: entityId
fields:
  sector: Sector
`;
    await writeFile(join(dir, 'pg-ok.yaml'), pg('pg-ok', 'WAREHOUSE_URL', 'select * from portfolio'));
    // A password written into the file itself, not through ${VAR}: still never printed.
    await writeFile(
      join(dir, 'pg-bad-sql.yaml'),
      portfolioMapping(
        'pg-bad-sql',
        `  type: postgres\n  url: ${warehouseUrl}\n  query: select * from missing_table`,
      ),
    );
    await writeFile(join(dir, 'pg-refused.yaml'), pg('pg-refused', 'REFUSED_URL', 'select 1'));
    await writeFile(join(dir, 'pg-closed.yaml'), pg('pg-closed', 'CLOSED_URL', 'select 1'));
    await writeFile(join(dir, 'sf-ok.yaml'), sf('sf-ok', 'select * from portfolio'));
    await writeFile(join(dir, 'sf-bad-sql.yaml'), sf('sf-bad-sql', 'select * from missing_table'));
  });

  afterAll(async () => {
    await sim?.close();
    await snowflake?.close();
    await refusing?.close();
    await redis?.destroy();
    await db?.drop();
    if (role) await sql(databaseUrl(), `drop role if exists ${role}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    AFFINITY_API_KEY: secrets.apiKey,
    AFFINITY_BASE_URL: sim.url,
    LOG_LEVEL: 'debug',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'faults-secrets',
    WAREHOUSE_URL: warehouseUrl,
    REFUSED_URL: refusedUrl,
    CLOSED_URL: closedUrl,
    SNOWFLAKE_PRIVATE_KEY: keyPair.privateKey,
    SNOWFLAKE_PASSPHRASE: secrets.passphrase,
    ...extra,
  });

  it('keeps every secret out of the CLI output, logs and reports of passing and failing runs', async () => {
    const runs: Array<{
      name: string;
      args: string[];
      env?: Record<string, string>;
      code: number;
      says: string;
    }> = [
      { name: 'pg-ok', args: ['pg-ok'], code: 0, says: 'pg-ok: SUCCEEDED' },
      {
        name: 'refused key',
        args: ['pg-ok'],
        env: { AFFINITY_API_KEY: secrets.wrongKey },
        code: 1,
        says: 'Affinity refused the API key (401)',
      },
      {
        name: 'bad sql',
        args: ['pg-bad-sql'],
        code: 1,
        says: 'relation "missing_table" does not exist (42P01)',
      },
      { name: 'login refused', args: ['pg-refused'], code: 1, says: 'postgres login failed at 127.0.0.1:' },
      { name: 'connection refused', args: ['pg-closed'], code: 1, says: 'connection refused (ECONNREFUSED)' },
      { name: 'sf-ok', args: ['sf-ok'], code: 0, says: 'sf-ok: SUCCEEDED' },
      { name: 'sf bad sql', args: ['sf-bad-sql'], code: 1, says: "Object 'MISSING_TABLE' does not exist" },
    ];
    // Each run in this process, for its exit code, printed text and JSON report.
    for (const r of runs) {
      const reportFile = join(dir, `${r.name.replaceAll(' ', '-')}.report.json`);
      const result = await runInProcess(
        ['run', join(dir, `${r.args[0]}.yaml`), '--report', reportFile],
        env({ LOG_LEVEL: 'silent', ...r.env }),
      );
      const report = await readFile(reportFile, 'utf8').catch(() => '');
      const all = `${result.stdout}\n${result.stderr}\n${report}`;
      expect(result.code, `${r.name}:\n${all}`).toBe(r.code);
      expect(all, r.name).toContain(r.says);
      expect(report, `${r.name} report`).toMatch(/"status"/);
      expectNoSecret(`run ${r.name}: stdout`, result.stdout);
      expectNoSecret(`run ${r.name}: stderr`, result.stderr);
      expectNoSecret(`run ${r.name}: report`, report);
    }

    // The same flows as processes, for the log lines at debug: every mapping through run-all, the
    // refused key, and validate --remote (reads the list and every source's columns).
    const [all, refused, validate] = await Promise.all([
      runCli(['run-all'], env({ MAPPINGS_DIR: dir })),
      runCli(['run', join(dir, 'pg-ok.yaml')], env({ AFFINITY_API_KEY: secrets.wrongKey })),
      runCli(['validate', dir, '--remote'], env()),
    ]);
    expect(all.code, all.stderr).toBe(1);
    for (const r of runs.filter((run) => run.env === undefined))
      expect(all.stdout + all.stderr).toContain(r.says);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Affinity refused the API key (401)');
    for (const result of [all, refused]) expect(result.stderr).toMatch(/^\{"level":/m);
    expect(validate.stdout + validate.stderr).toContain('pg-ok');
    for (const [name, result] of Object.entries({
      'run-all': all,
      'refused key': refused,
      'validate --remote': validate,
    })) {
      expectNoSecret(`${name}: stdout`, result.stdout);
      expectNoSecret(`${name}: stderr`, result.stderr);
    }
  });

  it("keeps every secret out of the worker's logs, /metrics, /healthz, history and Redis keys", async () => {
    const mappings = join(dir, 'worker-mappings');
    await mkdir(mappings, { recursive: true });
    await writeFile(
      join(mappings, 'pg-ok.yaml'),
      portfolioMapping(
        'pg-ok',
        `  type: postgres\n  url: \${WAREHOUSE_URL}\n  query: select * from portfolio`,
      ),
    );
    await writeFile(
      join(mappings, 'pg-bad-sql.yaml'),
      portfolioMapping(
        'pg-bad-sql',
        `  type: postgres\n  url: ${warehouseUrl}\n  query: select * from missing_table`,
      ),
    );
    const prefix = uniqueName('faults-secrets-worker');
    const workerEnv = readEnv({
      ...env(),
      MAPPINGS_DIR: mappings,
      QUEUE_PREFIX: prefix,
      WORKER_HTTP_PORT: '0',
      WORKER_HTTP_TOKEN: secrets.httpToken,
      JOB_ATTEMPTS: '1',
    });
    // The worker reads ${WAREHOUSE_URL} from the process environment when it loads mappings.
    process.env['WAREHOUSE_URL'] = warehouseUrl;
    const { logger, lines } = capturedLogger();
    let worker: RunningWorker | undefined;
    const connection = new Redis(redis.url);
    try {
      worker = await startWorker(workerEnv, logger);
      const base = `http://127.0.0.1:${worker.port}`;
      for (const name of ['pg-ok', 'pg-bad-sql']) {
        const response = await fetch(`${base}/mappings/${name}/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secrets.httpToken}` },
        });
        expect(response.status, await response.clone().text()).toBeLessThan(300);
        expectNoSecret(`POST /mappings/${name}/runs`, await response.text());
      }
      const history = new HistoryStore(connection, prefix, 100);
      await until('both runs in the history', async () => {
        const ok = await history.recent('pg-ok');
        const bad = await history.recent('pg-bad-sql');
        return ok.length > 0 && bad.length > 0;
      });
      const recorded = JSON.stringify([await history.recent('pg-ok'), await history.recent('pg-bad-sql')]);
      expect(recorded).toContain('"status":"succeeded"');
      expect(recorded).toContain('relation \\"missing_table\\" does not exist');
      expectNoSecret('history', recorded);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('pg-ok');
      expectNoSecret('/metrics', metrics);
      expectNoSecret('/healthz', await (await fetch(`${base}/healthz`)).text());
      const status = await runCli(['status'], env({ QUEUE_PREFIX: prefix }));
      expect(status.stdout).toContain('pg-ok');
      expectNoSecret('status: stdout', status.stdout);
      expectNoSecret('status: stderr', status.stderr);

      // Everything the worker and the limiter keep in Redis: queue, jobs, history, pacing state.
      const dump: string[] = [];
      for (const key of await connection.keys('*')) {
        const type = await connection.type(key);
        const value =
          type === 'string'
            ? await connection.get(key)
            : type === 'hash'
              ? await connection.hgetall(key)
              : type === 'list'
                ? await connection.lrange(key, 0, -1)
                : type === 'set'
                  ? await connection.smembers(key)
                  : type === 'zset'
                    ? await connection.zrange(key, 0, -1)
                    : type === 'stream'
                      ? await connection.xrange(key, '-', '+')
                      : type;
        dump.push(`${key} ${JSON.stringify(value)}`);
      }
      expect(dump.length).toBeGreaterThan(5);
      expectNoSecret('Redis keys', dump.join('\n'));
    } finally {
      await worker?.close();
      connection.disconnect();
      delete process.env['WAREHOUSE_URL'];
    }
    expect(lines.length).toBeGreaterThan(0);
    expectNoSecret('worker log', lines.join(''));
  });
});
