import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';

// A loopback stub of the Snowflake REST protocol the Node driver (snowflake-sdk 3) speaks, so the
// real driver code runs in tests: login (password or key-pair JWT), query-request with an inline
// first chunk plus gzip'd result chunks served by the same stub, session delete, abort, telemetry.

/** One result column as Snowflake describes it in `rowtype`. */
export interface StubColumn {
  name: string;
  /** Snowflake's internal type: fixed, real, text, date, timestamp_ntz, timestamp_ltz, timestamp_tz, boolean, variant, … */
  type: string;
  precision?: number;
  scale?: number;
}

/** A query result: rows are produced on demand, so a large result never sits in the stub's memory. */
export interface StubResult {
  columns: StubColumn[];
  rowCount: number;
  /** Raw cell values as Snowflake's JSON result format carries them (strings or null). */
  row: (index: number) => Array<string | null>;
  /** Rows in the inline first chunk and in each downloaded chunk. @defaultValue 10000 */
  chunkRows?: number;
}

/** A query failure as Snowflake reports it. */
export interface StubQueryError {
  error: { code: string; message: string; sqlState: string };
}

export type StubEvent =
  | { kind: 'login'; user: string; authenticator: string; ok: boolean }
  | { kind: 'query'; sessionId: string; sql: string; describeOnly: boolean }
  | { kind: 'chunk'; queryId: string; index: number }
  | { kind: 'session-delete'; sessionId: string }
  | { kind: 'abort'; sessionId: string }
  | { kind: 'telemetry' }
  | { kind: 'heartbeat'; sessionId: string }
  | { kind: 'other'; method: string; path: string };

export interface SnowflakeStubOptions {
  /** Account name the JWT subject must carry (upper-cased). @defaultValue 'STUBACCOUNT' */
  account?: string;
  username: string;
  /** Accepts password logins with exactly this password. */
  password?: string;
  /** Accepts key-pair (SNOWFLAKE_JWT) logins signed by the private half of this PEM public key. */
  publicKey?: string;
  /** Answers a query's SQL text. */
  query: (sql: string) => StubResult | StubQueryError;
}

export interface SnowflakeStub {
  /** http://127.0.0.1:<port>, the driver's accessUrl. */
  url: string;
  events: StubEvent[];
  /** Session ids currently logged in and not deleted. */
  openSessions(): string[];
  close(): Promise<void>;
}

const chunkKey = 'stub-query-result-master-key';

const sessionParameters = [
  { name: 'TIMEZONE', value: 'America/Los_Angeles' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'CLIENT_RESULT_CHUNK_SIZE', value: 160 },
  { name: 'CLIENT_SESSION_KEEP_ALIVE', value: false },
  { name: 'QUERY_CONTEXT_CACHE_SIZE', value: 5 },
];

function rowtype(columns: StubColumn[]) {
  return columns.map((c) => ({
    name: c.name,
    database: 'STUB',
    schema: 'PUBLIC',
    table: 'T',
    type: c.type,
    precision: c.precision ?? (c.type === 'fixed' ? 38 : null),
    scale: c.scale ?? (c.type === 'fixed' ? 0 : c.type.startsWith('timestamp') ? 9 : null),
    length: c.type === 'text' ? 16777216 : null,
    byteLength: c.type === 'text' ? 16777216 : null,
    nullable: true,
    collation: null,
  }));
}

function rowsJson(result: StubResult, from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(JSON.stringify(result.row(i)));
  return parts.join(',');
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let raw = Buffer.concat(chunks);
  if (raw.length === 0) return {};
  // The driver gzips bodies asynchronously and may label an uncompressed body gzip: trust the magic bytes.
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  return JSON.parse(raw.toString('utf8'));
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function fingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/** Verifies an RS256 JWT against the public key; returns its payload or undefined. */
function verifyJwt(token: string, publicKeyPem: string): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    publicKeyPem,
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function startSnowflakeStub(options: SnowflakeStubOptions): Promise<SnowflakeStub> {
  const account = (options.account ?? 'STUBACCOUNT').toUpperCase();
  const events: StubEvent[] = [];
  const sessions = new Map<string, string>(); // session token → session id
  const results = new Map<string, StubResult>();
  let url = '';

  function sessionOf(req: http.IncomingMessage): string | undefined {
    const match = /^Snowflake Token="(.*)"$/.exec(req.headers.authorization ?? '');
    return match ? sessions.get(match[1] ?? '') : undefined;
  }

  function checkLogin(data: Record<string, unknown>): boolean {
    if (String(data['LOGIN_NAME']).toUpperCase() !== options.username.toUpperCase()) return false;
    if (data['AUTHENTICATOR'] === 'SNOWFLAKE_JWT') {
      if (!options.publicKey || typeof data['TOKEN'] !== 'string') return false;
      const claims = verifyJwt(data['TOKEN'], options.publicKey);
      const subject = `${account}.${options.username.toUpperCase()}`;
      return claims?.['sub'] === subject && claims['iss'] === `${subject}.${fingerprint(options.publicKey)}`;
    }
    return options.password !== undefined && data['PASSWORD'] === options.password;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const search = new URL(req.url ?? '/', 'http://stub').searchParams;
    const body = (await readBody(req)) as Record<string, unknown>;

    if (req.method === 'POST' && path === '/session/v1/login-request') {
      const data = (body['data'] ?? {}) as Record<string, unknown>;
      const ok = checkLogin(data);
      events.push({
        kind: 'login',
        user: String(data['LOGIN_NAME']),
        authenticator: String(data['AUTHENTICATOR'] ?? 'SNOWFLAKE'),
        ok,
      });
      if (!ok) {
        if (data['AUTHENTICATOR'] === 'SNOWFLAKE_JWT') {
          send(res, 200, {
            data: { nextAction: 'RETRY_LOGIN' },
            code: '390144',
            message: 'JWT token is invalid.',
            success: false,
          });
        } else {
          send(res, 200, {
            data: { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD' },
            code: '390100',
            message: 'Incorrect username or password was specified.',
            success: false,
          });
        }
        return;
      }
      const token = randomUUID();
      const sessionId = String(Math.floor(Math.random() * 1e15));
      sessions.set(token, sessionId);
      send(res, 200, {
        data: {
          masterToken: randomUUID(),
          token,
          validityInSeconds: 3600,
          masterValidityInSeconds: 14400,
          displayUserName: options.username.toUpperCase(),
          serverVersion: '9.0.0',
          firstLogin: false,
          healthCheckInterval: 45,
          newClientForUpgrade: null,
          sessionId: Number(sessionId),
          parameters: sessionParameters,
          sessionInfo: {
            databaseName: 'STUB',
            schemaName: 'PUBLIC',
            warehouseName: 'STUB_WH',
            roleName: 'PUBLIC',
          },
          idToken: null,
          mfaToken: null,
        },
        code: null,
        message: null,
        success: true,
      });
      return;
    }

    if (path.startsWith('/chunks/')) {
      const [, , queryId = '', indexText = ''] = path.split('/');
      const result = results.get(queryId);
      const index = Number(indexText);
      if (!result || req.headers['x-amz-server-side-encryption-customer-key'] !== chunkKey) {
        res.writeHead(403, { 'Content-Type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code></Error>');
        return;
      }
      events.push({ kind: 'chunk', queryId, index });
      const size = result.chunkRows ?? 10_000;
      const from = (index + 1) * size;
      const gz = gzipSync(
        Buffer.from(rowsJson(result, from, Math.min(from + size, result.rowCount)), 'utf8'),
      );
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Encoding': 'gzip',
        'Content-Length': gz.length,
      });
      res.end(gz);
      return;
    }

    if (req.method === 'POST' && path === '/telemetry/send') {
      events.push({ kind: 'telemetry' });
      send(res, 200, { data: 'Log Received', code: null, message: null, success: true });
      return;
    }

    const sessionId = sessionOf(req);
    if (sessionId === undefined) {
      events.push({ kind: 'other', method: req.method ?? '', path });
      send(res, 200, {
        data: null,
        code: '390111',
        message: 'Session no longer exists.  New login required to access the service.',
        success: false,
      });
      return;
    }

    if (req.method === 'POST' && path === '/session' && search.get('delete') === 'true') {
      events.push({ kind: 'session-delete', sessionId });
      for (const [token, id] of sessions) if (id === sessionId) sessions.delete(token);
      send(res, 200, { data: null, code: null, message: null, success: true });
      return;
    }

    if (req.method === 'POST' && path === '/session/heartbeat') {
      events.push({ kind: 'heartbeat', sessionId });
      send(res, 200, { data: null, code: null, message: null, success: true });
      return;
    }

    if (req.method === 'POST' && path === '/queries/v1/abort-request') {
      events.push({ kind: 'abort', sessionId });
      send(res, 200, { data: null, code: null, message: null, success: true });
      return;
    }

    if (req.method === 'POST' && path === '/queries/v1/query-request') {
      const sql = String(body['sqlText'] ?? '');
      const describeOnly = body['describeOnly'] === true;
      events.push({ kind: 'query', sessionId, sql, describeOnly });
      const queryId = randomUUID();
      const answer = options.query(sql);
      if ('error' in answer) {
        send(res, 200, {
          data: {
            internalError: false,
            errorCode: answer.error.code,
            age: 0,
            sqlState: answer.error.sqlState,
            queryId,
            line: -1,
            pos: -1,
            type: 'COMPILATION',
          },
          code: answer.error.code,
          message: answer.error.message,
          success: false,
          headers: null,
        });
        return;
      }
      const size = answer.chunkRows ?? 10_000;
      const total = describeOnly ? 0 : answer.rowCount;
      const inline = Math.min(size, total);
      const chunks = [];
      for (let from = inline, i = 0; from < total; from += size, i++) {
        const rowCount = Math.min(size, total - from);
        chunks.push({
          url: `${url}/chunks/${queryId}/${i}`,
          rowCount,
          uncompressedSize: rowCount * 64,
          compressedSize: rowCount * 16,
        });
      }
      if (chunks.length > 0) results.set(queryId, answer);
      const rowset = `[${rowsJson(answer, 0, inline)}]`;
      // The rowset is spliced in as raw JSON text: the stub never holds a parsed 10,000-row array.
      const head = JSON.stringify({
        data: {
          parameters: sessionParameters,
          rowtype: rowtype(answer.columns),
          rowset: '__ROWSET__',
          total,
          returned: total,
          queryId,
          databaseProvider: null,
          finalDatabaseName: 'STUB',
          finalSchemaName: 'PUBLIC',
          finalWarehouseName: 'STUB_WH',
          finalRoleName: 'PUBLIC',
          numberOfBinds: 0,
          arrayBindSupported: false,
          statementTypeId: 4096,
          version: 1,
          sendResultTime: Date.now(),
          queryResultFormat: 'json',
          ...(chunks.length > 0 ? { chunks, qrmk: chunkKey } : {}),
        },
        code: null,
        message: null,
        success: true,
      });
      const text = head.replace('"__ROWSET__"', rowset);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    events.push({ kind: 'other', method: req.method ?? '', path });
    send(res, 404, { success: false, code: '404', message: `stub: no route for ${req.method} ${path}` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { success: false, message: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    events,
    openSessions: () => [...new Set(sessions.values())],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
