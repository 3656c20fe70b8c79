import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { authorized } from './auth.js';
import { handleControl } from './control.js';
import { deliverCreateFault } from './create-faults.js';
import { applyEdit, type EditRequest, setChangeTracking, type TrackingRequest } from './edits.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { type Fixture, type ParsedFixture, parseFixture } from './fixture.js';
import { generateFixture } from './generate.js';
import { readBody, sendJson } from './http-io.js';
import { OrgQuota, type OrgQuotaOptions } from './org-quota.js';
import { RateWindow } from './rate-window.js';
import { errorResult, type RouteResult, Router, type SimulatorQuirks } from './router.js';
import { companyRoutes } from './routes-companies.js';
import { createRoutes } from './routes-creates.js';
import { entityRoutes } from './routes-entities.js';
import { entityEntryRoutes } from './routes-entity-entries.js';
import { fieldValueChangeRoutes } from './routes-field-value-changes.js';
import { listEntryRoutes } from './routes-list-entries.js';
import { listEntryReadRoutes } from './routes-list-entry.js';
import { listRoutes } from './routes-lists.js';
import { searchRoutes } from './routes-search.js';
import { v1Routes } from './routes-v1.js';
import { SimulatorState } from './state.js';
import { type SimulatorStats, StatsRecorder } from './stats.js';

export type { FaultOptions } from './faults.js';
export type { Fixture } from './fixture.js';
export type { SimulatorQuirks } from './router.js';
export type { SimulatorState } from './state.js';
export type { SimulatorStats } from './stats.js';

export interface SimulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 (the CLI defaults to 4010) */
  port?: number;
  /** Interface to listen on. @defaultValue "127.0.0.1" */
  host?: string;
  /** The API key clients must present. @defaultValue "simulator-key" */
  apiKey?: string;
  /** Data to serve; when absent, `companies` are generated. */
  fixture?: Fixture;
  /** Companies generated on a "Portfolio" list when no fixture is given. @defaultValue 50 */
  companies?: number;
  /** Seed of the generator and of fault decisions. @defaultValue 1 */
  seed?: number;
  /** Per-key fixed window. @defaultValue 900 requests per 60 seconds */
  rateLimit?: { limit: number; windowSeconds: number };
  /** Monthly account quota; null is unlimited (headers say "unlimited"). @defaultValue null */
  orgQuota?: OrgQuotaOptions | null;
  /** Most API requests in flight; more are answered 429. null is no cap. @defaultValue null */
  maxConcurrent?: number | null;
  /** Faults injected from the start. @defaultValue none */
  faults?: FaultOptions;
  /** Answer 404 on v2 dropdown-options, as older API versions do (clients fall back to v1). @defaultValue false */
  legacyDropdowns?: boolean;
  /** Documented responses clients may not expect (null pages); also POST /_simulator/quirks. @defaultValue none */
  quirks?: Partial<SimulatorQuirks>;
  /** Answer 404 on POST /v2/{companies|persons}/search, as versions before 2026-07-15 do (clients fall back to v1 search). @defaultValue false */
  legacySearch?: boolean;
  /** Told every authorized API request that reaches routing (tests check requests against the documents). */
  onRequest?: (request: SeenRequest) => void;
}

/** An API request as the simulator received it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  port: number;
  apiKey: string;
  /** Same as GET /_simulator/stats. */
  stats(): SimulatorStats;
  /** Back to the initial data, limits, faults and stats. */
  reset(): void;
  /** Replaces the faults (and restarts their seeded stream). */
  setFaults(faults: FaultOptions): void;
  /** Changes the per-key window, e.g. to simulate Affinity lowering a limit. */
  setRateLimit(rateLimit: { limit?: number; windowSeconds?: number }): void;
  /** Turns quirks on or off (those not named keep their setting). */
  setQuirks(quirks: Partial<SimulatorQuirks>): void;
  /** Direct access to the data for tests. */
  readonly state: SimulatorState;
  /** An edit by a person in Affinity (not the API key's user), recorded in field-value-changes; throws on invalid input. */
  edit(request: EditRequest): void;
  /** Turns a field's change tracking on or off. */
  setChangeTracking(request: TrackingRequest): void;
  close(): Promise<void>;
}

// Entity routes come before companyRoutes: /v2/companies/fields must not read as a company id.
const router = new Router([
  ...listRoutes,
  ...listEntryRoutes,
  ...entityRoutes,
  ...searchRoutes,
  ...companyRoutes,
  ...v1Routes,
  ...createRoutes,
  ...entityEntryRoutes,
  ...fieldValueChangeRoutes,
  ...listEntryReadRoutes,
]);

/** The simulator's data, limits and counters; `reset()` puts every one back as it started. */
class Runtime {
  readonly apiKey: string;
  readonly faults: FaultInjector;
  state: SimulatorState;
  stats = new StatsRecorder();
  window: RateWindow;
  quota: OrgQuota;
  quirks: SimulatorQuirks;
  inFlight = 0;
  /** host:port the server listens on, for nextUrl when a request has no Host header. */
  address = '';
  private readonly fixture: ParsedFixture | null;
  private readonly initialQuirks: SimulatorQuirks;

  constructor(readonly options: SimulatorOptions) {
    this.apiKey = options.apiKey ?? 'simulator-key';
    this.fixture = options.fixture ? parseFixture(options.fixture) : null;
    this.initialQuirks = { nullPages: false, ...options.quirks };
    this.quirks = { ...this.initialQuirks };
    this.state = this.buildState();
    const rate = this.initialRate();
    this.window = new RateWindow(rate.limit, rate.windowSeconds);
    this.quota = new OrgQuota(options.orgQuota ?? null, Date.now());
    this.faults = new FaultInjector(options.seed ?? 1);
    this.faults.set(options.faults ?? {}, Date.now());
  }

  reset(): void {
    this.state = this.buildState();
    this.stats = new StatsRecorder();
    const rate = this.initialRate();
    this.window = new RateWindow(rate.limit, rate.windowSeconds);
    this.quota = new OrgQuota(this.options.orgQuota ?? null, Date.now());
    this.faults.set(this.options.faults ?? {}, Date.now());
    this.quirks = { ...this.initialQuirks };
  }

  send(res: ServerResponse, result: RouteResult): void {
    this.stats.response(result.status);
    sendJson(res, result.status, result.body, this.rateHeaders());
  }

  /** The 429 this request meets (storm, concurrency cap, window, monthly quota), or null. */
  limited(now: number): RouteResult | null {
    const maxConcurrent = this.options.maxConcurrent ?? null;
    if (this.faults.storming(now)) return rateLimited('Rate limit exceeded (simulated 429 storm)');
    if (maxConcurrent !== null && this.inFlight > maxConcurrent) {
      return rateLimited(`Too many concurrent requests: at most ${maxConcurrent} may be in flight`);
    }
    if (!this.window.tryTake(now)) {
      return rateLimited(
        `Rate limit exceeded: ${this.window.limit} requests per ${this.window.windowSeconds} seconds per API key`,
      );
    }
    if (!this.quota.tryTake()) return rateLimited('Monthly request quota of this account is exhausted');
    return null;
  }

  private rateHeaders(): Record<string, string> {
    const now = Date.now();
    const org = this.quota.headers(now);
    return {
      'x-ratelimit-limit-user': String(this.window.limit),
      'x-ratelimit-limit-user-remaining': String(this.window.remaining(now)),
      'x-ratelimit-limit-user-reset': String(this.window.resetSeconds(now)),
      'x-ratelimit-limit-org': org.limit,
      'x-ratelimit-limit-org-remaining': org.remaining,
      'x-ratelimit-limit-org-reset': org.reset,
    };
  }

  private initialRate(): { limit: number; windowSeconds: number } {
    return this.options.rateLimit ?? { limit: 900, windowSeconds: 60 };
  }

  private buildState(): SimulatorState {
    return this.fixture
      ? SimulatorState.fromFixture(this.fixture)
      : SimulatorState.fromFixture(
          generateFixture({ companies: this.options.companies ?? 50, seed: this.options.seed ?? 1 }),
          'generated fixture',
        );
  }
}

const rateLimited = (message: string): RouteResult => errorResult(429, { code: 'rate-limit', message });

type RouteMatch = NonNullable<ReturnType<typeof router.match>>;

/** One API request: auth, limits, the seeded fault, then the route (all-or-nothing, as Affinity). */
async function handleApi(rt: Runtime, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const match = router.match(method, url.pathname);
  rt.stats.request(`${method} ${match ? match.route.template : '(unknown route)'}`);
  const refusal = unauthorized(req, rt.apiKey, url);
  if (refusal) return rt.send(res, refusal);
  rt.inFlight += 1;
  rt.stats.inFlight(rt.inFlight);
  try {
    const now = Date.now();
    const limited = rt.limited(now);
    if (limited) return rt.send(res, limited);
    // The fault is decided before anything is applied: a failed or dropped PATCH writes nothing.
    const decision = rt.faults.decide(now, method);
    const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    if (decision.delayMs > 0) await delay(decision.delayMs);
    if (decision.outcome === 'drop') {
      rt.stats.drop();
      req.socket.destroy();
      return;
    }
    if (decision.outcome !== 'ok') return rt.send(res, serverFault(decision.outcome));
    if (!match)
      return rt.send(
        res,
        errorResult(404, { code: 'not-found', message: `No route ${method} ${url.pathname}` }),
      );
    const body = parseBody(text);
    if (!body.ok) return rt.send(res, body.error);
    rt.options.onRequest?.({
      method,
      path: url.pathname,
      query: new URLSearchParams(url.searchParams),
      body: body.value,
    });
    await route(rt, req, res, url, match, body.value);
  } finally {
    rt.inFlight -= 1;
  }
}

function unauthorized(req: IncomingMessage, apiKey: string, url: URL): RouteResult | null {
  const v2 = url.pathname.startsWith('/v2/');
  if (authorized(req, apiKey, v2)) return null;
  const how = v2 ? 'Authorization: Bearer <key>' : 'HTTP Basic auth with the key as password';
  return errorResult(401, { code: 'authentication', message: `Missing or invalid API key (send ${how})` });
}

function serverFault(status: 500 | 503): RouteResult {
  const message = status === 503 ? 'Service temporarily unavailable' : 'Internal server error';
  return errorResult(status, { code: 'server', message: `${message} (simulated)` });
}

function parseBody(text: string | null): { ok: true; value: unknown } | { ok: false; error: RouteResult } {
  if (text === null)
    return { ok: false, error: errorResult(413, { code: 'bad-request', message: 'Request body too large' }) };
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = `Request body is not valid JSON: ${(error as Error).message}`;
    return { ok: false, error: errorResult(400, { code: 'bad-request', message }) };
  }
}

/** Runs the matched route; a create fault strikes before the create takes effect, or after it (the response is lost). */
async function route(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RouteMatch,
  body: unknown,
): Promise<void> {
  const createFault = match.route.creates ? rt.faults.decideCreate() : { when: 'none' as const };
  const strike = async (): Promise<void> => {
    if (createFault.when === 'none') return;
    rt.stats.createFault(createFault.when);
    const failed = await deliverCreateFault(createFault, req);
    if (failed !== null) rt.send(res, failed);
    else if (createFault.kind === 'drop') rt.stats.drop();
  };
  if (createFault.when === 'before-commit') return await strike();
  const result = match.route.handle({
    state: rt.state,
    params: match.params,
    query: url.searchParams,
    pathname: url.pathname,
    body,
    baseUrl: `http://${req.headers.host ?? rt.address}`,
    legacyDropdowns: rt.options.legacyDropdowns ?? false,
    quirks: rt.quirks,
    recordPatch: (record, count) => rt.stats.patch(record, count),
    legacySearch: rt.options.legacySearch ?? false,
    recordEntityPatch: (record, count) => rt.stats.entityPatch(record, count),
  });
  if (createFault.when === 'after-commit') return await strike();
  rt.send(res, result);
}

/** Starts an Affinity API v2 simulator over HTTP. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const rt = new Runtime(options);
  const sim = {
    stats: () => rt.stats.snapshot(rt.window.maxInWindow),
    reset: () => rt.reset(),
    setQuirks: (q: Partial<SimulatorQuirks>) => {
      rt.quirks = { ...rt.quirks, ...q };
    },
    setFaults: (f: FaultOptions) => rt.faults.set(f, Date.now()),
    setRateLimit: (r: { limit?: number | undefined; windowSeconds?: number | undefined }) => rt.window.set(r),
    dump: () => rt.state.dump(),
    edit: (request: EditRequest) => applyEdit(rt.state, request),
    setChangeTracking: (request: TrackingRequest) => setChangeTracking(rt.state, request),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const work = url.pathname.startsWith('/_simulator/')
      ? handleControl(req, res, url, sim)
      : handleApi(rt, req, res, url);
    work.catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, {
          errors: [{ code: 'server', message: `Simulator error: ${(error as Error).message}` }],
        });
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  rt.address = `${host}:${port}`;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    apiKey: rt.apiKey,
    stats: sim.stats,
    reset: sim.reset,
    setFaults: sim.setFaults,
    setRateLimit: sim.setRateLimit,
    setQuirks: sim.setQuirks,
    get state() {
      return rt.state;
    },
    edit(request) {
      const problem = sim.edit(request);
      if (problem !== null) throw new Error(`simulator edit: ${problem}`);
    },
    setChangeTracking(request) {
      const problem = sim.setChangeTracking(request);
      if (problem !== null) throw new Error(`simulator change tracking: ${problem}`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
