import type { SimulatorState } from './state.js';
import type { EntityPatchRecord, PatchRecord } from './stats.js';
import type { ApiError } from './validate-update.js';

export interface RouteContext {
  state: SimulatorState;
  params: Record<string, string>;
  query: URLSearchParams;
  pathname: string;
  body: unknown;
  /** Scheme and host the client used, for absolute `nextUrl`s. */
  baseUrl: string;
  legacyDropdowns: boolean;
  quirks: SimulatorQuirks;
  recordPatch(record: PatchRecord, fieldCount: number): void;
  /** Answer 404 on POST /v2/{companies|persons}/search, as API versions before 2026-07-15 do. */
  legacySearch: boolean;
  recordEntityPatch(record: EntityPatchRecord, fieldCount: number): void;
}

/** Responses the documents allow that a client may not expect, served on request. */
export interface SimulatorQuirks {
  /**
   * List-entry pages without entries are `data: null` (ListEntryWithEntityPaged types `data` as
   * array or null), and every scan starts with one such page whose `nextUrl` leads to the entries.
   */
  nullPages: boolean;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

export interface Route {
  method: string;
  /** e.g. "/v2/lists/{listId}" — also the key in stats. */
  template: string;
  /** Not idempotent (creates something): create faults apply, before or after it takes effect. */
  creates?: boolean;
  handle(ctx: RouteContext): RouteResult;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  keys: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Affinity's error body with one error. */
export function errorResult(status: number, error: ApiError): RouteResult {
  return { status, body: { errors: [error] } };
}

export function notFound(message: string): RouteResult {
  return errorResult(404, { code: 'not-found', message });
}

export function badParam(param: string, message: string): RouteResult {
  return errorResult(400, { code: 'validation', message, param });
}

/** A path id as a positive integer, or null. */
export function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9]\d{0,15}$/.test(text)) return null;
  return Number(text);
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.template.replace(/\{(\w+)\}/g, (_match, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}/?$`), keys };
}

/** Matches method + path against a fixed table of routes. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map(compile);
  }

  match(method: string, pathname: string): RouteMatch | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return null;
  }
}
