import { pagedResult } from './pagination.js';
import { renderCompany, renderPerson } from './render-entity.js';
import {
  badParam,
  errorResult,
  notFound,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { pickEntityFields } from './routes-entities.js';
import type { EntityKind, SimCompany, SimPerson } from './state.js';

// Finding companies and persons by text: v2 POST /v2/{companies|persons}/search (2026-07-15,
// `search.term` only — filters and sorts are not simulated) and v1 GET /organizations|/persons?term=.

const criteriaKeys = ['filters', 'search', 'sorts'];
const termKeys = ['term', 'fieldIds'];
const minTermLength = 3;
const v1MaxPageSize = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The lowercased `search.term` of a SearchCriteria body (null: no term), or the 400 to send. */
function searchTerm(body: unknown): string | null | RouteResult {
  if (body === undefined) return null;
  if (!isRecord(body))
    return errorResult(400, { code: 'bad-request', message: 'Request body must be a JSON object' });
  const unknown = Object.keys(body).find((k) => !criteriaKeys.includes(k));
  if (unknown !== undefined)
    return badParam(unknown, `"${unknown}" is not a search criterion (filters, search, sorts)`);
  for (const key of ['filters', 'sorts']) {
    if (key in body) return badParam(key, `${key} are not simulated; search by search.term`);
  }
  const search = body['search'];
  if (search === undefined) return null;
  if (!isRecord(search)) return badParam('search', 'search must be an object {term, fieldIds?}');
  const extra = Object.keys(search).find((k) => !termKeys.includes(k));
  if (extra !== undefined)
    return badParam(`search.${extra}`, `"${extra}" is not a key of search (term, fieldIds)`);
  const term = search['term'];
  if (typeof term !== 'string' || term.length < minTermLength) {
    return badParam('search.term', `search.term must be text of at least ${minTermLength} characters`);
  }
  return term.toLowerCase();
}

// The term is matched against the name and primary domain (companies) or names and primary email (persons).
function companyMatches(company: SimCompany, term: string): boolean {
  return company.name.toLowerCase().includes(term) || (company.domain?.toLowerCase().includes(term) ?? false);
}

function personMatches(person: SimPerson, term: string): boolean {
  return [person.firstName, person.lastName, person.primaryEmailAddress].some(
    (text) => text?.toLowerCase().includes(term) ?? false,
  );
}

function searchRoute(kind: EntityKind): Route {
  const path = `/v2/${kind === 'company' ? 'companies' : 'persons'}/search`;
  return {
    method: 'POST',
    template: path,
    handle(ctx): RouteResult {
      if (ctx.legacySearch) return notFound(`No route POST ${ctx.pathname}`);
      const term = searchTerm(ctx.body);
      if (term !== null && typeof term !== 'string') return term;
      const fields = pickEntityFields(ctx, kind);
      if (!Array.isArray(fields)) return fields;
      // Search answers 201 Created in the document.
      const created = (result: RouteResult): RouteResult =>
        result.status === 200 ? { ...result, status: 201 } : result;
      if (kind === 'company') {
        const found = [...ctx.state.companies.values()].filter(
          (c) => term === null || companyMatches(c, term),
        );
        return created(pagedResult(ctx, found, (c) => renderCompany(ctx.state, c, fields)));
      }
      const found = [...ctx.state.persons.values()].filter((p) => term === null || personMatches(p, term));
      return created(pagedResult(ctx, found, (p) => renderPerson(ctx.state, p, fields)));
    },
  };
}

/** A v1 page: `page_size` (1..500) items after the offset in `page_token`. */
function v1Page<T>(ctx: RouteContext, items: readonly T[]): { page: T[]; next: string | null } | RouteResult {
  const sizeText = ctx.query.get('page_size');
  const size = sizeText === null ? v1MaxPageSize : Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > v1MaxPageSize) {
    return badParam('page_size', `page_size must be an integer from 1 to ${v1MaxPageSize}`);
  }
  const token = ctx.query.get('page_token');
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0)
    return badParam('page_token', `page_token "${token}" is not one this API issued`);
  const end = Math.min(items.length, start + size);
  return {
    page: items.slice(start, end),
    next: end < items.length ? Buffer.from(String(end)).toString('base64url') : null,
  };
}

// v1 matches a term against names and every domain / email address.
const v1Routes: Route[] = [
  {
    method: 'GET',
    template: '/organizations',
    handle(ctx) {
      const term = ctx.query.get('term')?.toLowerCase() ?? '';
      const found = [...ctx.state.companies.values()].filter(
        (c) => c.name.toLowerCase().includes(term) || c.domains.some((d) => d.toLowerCase().includes(term)),
      );
      const paged = v1Page(ctx, found);
      if (!('page' in paged)) return paged;
      const organizations = paged.page.map((c) => ({
        id: c.id,
        name: c.name,
        domain: c.domain,
        domains: c.domains,
        crunchbase_uuid: null,
        global: false,
      }));
      return { status: 200, body: { organizations, next_page_token: paged.next } };
    },
  },
  {
    method: 'GET',
    template: '/persons',
    handle(ctx) {
      const term = ctx.query.get('term')?.toLowerCase() ?? '';
      const found = [...ctx.state.persons.values()].filter((p) =>
        [p.firstName, p.lastName, ...p.emailAddresses].some((t) => t?.toLowerCase().includes(term) ?? false),
      );
      const paged = v1Page(ctx, found);
      if (!('page' in paged)) return paged;
      const persons = paged.page.map((p) => ({
        id: p.id,
        type: 0,
        first_name: p.firstName,
        last_name: p.lastName,
        primary_email: p.primaryEmailAddress,
        emails: p.emailAddresses,
      }));
      return { status: 200, body: { persons, next_page_token: paged.next } };
    },
  },
];

export const searchRoutes: Route[] = [searchRoute('company'), searchRoute('person'), ...v1Routes];
