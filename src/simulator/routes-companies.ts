import { apiUserId, renderUser } from './change-log.js';
import type { SimField } from './field-model.js';
import { pagedResult } from './pagination.js';
import { renderCompany } from './render-entity.js';
import {
  badParam,
  notFound,
  positiveInt,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { selectFields } from './routes-list-entries.js';
import type { SimCompany } from './state.js';

// Companies carry global, enriched and relationship-intelligence fields, never list fields.
function pickFields(ctx: RouteContext): SimField[] | RouteResult {
  return selectFields(
    ctx,
    [...ctx.state.entityFields().values()],
    { ids: 'fieldIds', types: 'fieldTypes' },
    false,
  );
}

export const companyRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2/auth/whoami',
    handle: () => ({
      status: 200,
      body: {
        tenant: { id: 1, name: 'Simulated Ventures', subdomain: 'simulated' },
        user: renderUser(apiUserId),
        grant: { type: 'api-key', scopes: ['api'], createdAt: '2024-01-01T00:00:00Z' },
      },
    }),
  },
  {
    method: 'GET',
    template: '/v2/companies',
    handle(ctx): RouteResult {
      const fields = pickFields(ctx);
      if (!Array.isArray(fields)) return fields;
      const idTexts = ctx.query.getAll('ids');
      let companies: SimCompany[];
      if (idTexts.length > 0) {
        const ids: number[] = [];
        for (const text of idTexts) {
          const id = positiveInt(text);
          if (id === null) return badParam('ids', `ids must be positive integers; got "${text}"`);
          ids.push(id);
        }
        companies = ids.flatMap((id) => {
          const c = ctx.state.companies.get(id);
          return c ? [c] : [];
        });
      } else {
        companies = [...ctx.state.companies.values()];
      }
      return pagedResult(ctx, companies, (c) => renderCompany(ctx.state, c, fields));
    },
  },
  {
    method: 'GET',
    template: '/v2/companies/{companyId}',
    handle(ctx) {
      const id = positiveInt(ctx.params['companyId']);
      const company = id === null ? undefined : ctx.state.companies.get(id);
      if (!company) return notFound(`Company ${ctx.params['companyId']} not found`);
      const fields = pickFields(ctx);
      if (!Array.isArray(fields)) return fields;
      return { status: 200, body: renderCompany(ctx.state, company, fields) };
    },
  },
];
