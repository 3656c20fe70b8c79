import { z } from 'zod';
import type { SimField } from './field-model.js';
import { newId } from './new-ids.js';
import { badParam, errorResult, notFound, positiveInt, type Route, type RouteResult } from './router.js';
import { findList } from './routes-lists.js';
import type { SimCompany, SimEntry, SimList, SimulatorState } from './state.js';

// The create routes: v1 list entry and organization, v2 dropdown option. Like Affinity, none of
// them is idempotent: the same request sent twice creates two entries, companies or options.

/** v1 entity_type of a list's entries (Affinity v1 reference: 0 person, 1 organization, 8 opportunity). */
export function v1EntityType(list: SimList): number {
  switch (list.type) {
    case 'person':
      return 0;
    case 'company':
      return 1;
    case 'opportunity':
      return 8;
    default: {
      const never: never = list.type;
      return never;
    }
  }
}

/** The v1 organization resource (without list entries). */
export function renderV1Organization(company: SimCompany): Record<string, unknown> {
  return {
    id: company.id,
    name: company.name,
    domain: company.domain,
    domains: company.domains,
    crunchbase_uuid: null,
    global: false,
    person_ids: [],
    opportunity_ids: [],
  };
}

/** The v1 list entry resource, as v1 GET /organizations/{id} lists them. */
export function renderV1ListEntry(entry: SimEntry, list: SimList): Record<string, unknown> {
  return {
    id: entry.id,
    list_id: list.id,
    creator_id: 1,
    entity_id: entry.entityId,
    entity_type: v1EntityType(list),
    created_at: entry.createdAt,
  };
}

function entityExists(state: SimulatorState, list: SimList, entityId: number): boolean {
  switch (list.type) {
    case 'company':
      return state.companies.has(entityId);
    case 'person':
      return state.persons.has(entityId);
    case 'opportunity':
      return false;
    default: {
      const never: never = list.type;
      return never;
    }
  }
}

const listEntryBody = z.looseObject({ entity_id: z.number().int().positive() });
const organizationBody = z.looseObject({
  name: z.string().trim().min(1),
  domain: z.string().trim().min(1).nullable().optional(),
});
const hostname = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function createListEntry(state: SimulatorState, list: SimList, body: unknown): RouteResult {
  const parsed = listEntryBody.safeParse(body);
  if (!parsed.success) return badParam('entity_id', 'entity_id must be a positive integer');
  const entityId = parsed.data.entity_id;
  // As v1 says: opportunities are created with POST /opportunities, not added by entity id.
  if (list.type === 'opportunity')
    return errorResult(422, {
      code: 'unprocessable-entity',
      message: `List ${list.id} is an opportunity list: create opportunities with POST /opportunities`,
    });
  if (!entityExists(state, list, entityId)) return notFound(`Entity ${entityId} not found`);
  const entry: SimEntry = {
    id: newId(state, 'entry'),
    listId: list.id,
    entityId,
    createdAt: new Date().toISOString(),
    values: new Map(),
  };
  // New ids are the highest, so appending keeps id order and every issued cursor valid.
  list.entries.push(entry);
  list.entryById.set(entry.id, entry);
  const company = list.type === 'company' ? state.companies.get(entityId) : undefined;
  const entity = company ? renderV1Organization(company) : { id: entityId };
  return { status: 200, body: { ...renderV1ListEntry(entry, list), entity } };
}

function createOrganization(state: SimulatorState, body: unknown): RouteResult {
  const parsed = organizationBody.safeParse(body);
  if (!parsed.success) {
    const param = parsed.error.issues[0]?.path[0] === 'domain' ? 'domain' : 'name';
    return badParam(param, param === 'name' ? 'name is required' : 'domain must be a string');
  }
  const domain = parsed.data.domain?.toLowerCase() ?? null;
  if (domain !== null && !hostname.test(domain)) return badParam('domain', `"${domain}" is not a domain`);
  // Like the worst case of the real API: a second company with the same domain is not refused.
  const company: SimCompany = {
    id: newId(state, 'company'),
    name: parsed.data.name,
    domain,
    domains: domain === null ? [] : [domain],
    values: new Map(),
  };
  state.companies.set(company.id, company);
  return { status: 200, body: renderV1Organization(company) };
}

const colors = ['white', 'gray', 'blue', 'green', 'purple', 'orange', 'red'] as const;
const text = z.string().min(1).max(255);
const standardOption = z.strictObject({ type: z.literal('dropdown'), text });
const rankedOption = z.strictObject({
  type: z.literal('ranked-dropdown'),
  text,
  rank: z.number().int().min(0).max(2_147_483_647),
  color: z.enum(colors),
});

function createDropdownOption(state: SimulatorState, field: SimField, body: unknown): RouteResult {
  const ranked = field.valueType === 'ranked-dropdown';
  if (!ranked && field.valueType !== 'dropdown' && field.valueType !== 'dropdown-multi') {
    return badParam('fieldId', `Field ${field.id} is a ${field.valueType} field, not a dropdown`);
  }
  const parsed = (ranked ? rankedOption : standardOption).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join('.') || 'body';
    const shape = ranked ? '{type: "ranked-dropdown", text, rank, color}' : '{type: "dropdown", text}';
    return badParam(param, `expected ${shape}: ${issue?.message ?? 'invalid'}`);
  }
  // Like the worst case of the real API: a second option with the same text is not refused.
  const data = parsed.data;
  const option =
    data.type === 'ranked-dropdown'
      ? { id: newId(state, 'option'), text: data.text, rank: data.rank, color: data.color }
      : { id: newId(state, 'option'), text: data.text };
  field.dropdownOptions.push(option);
  field.optionById.set(option.id, option);
  return { status: 201, body: { ...option, type: data.type } };
}

export const createRoutes: Route[] = [
  {
    method: 'POST',
    template: '/lists/{list_id}/list-entries',
    creates: true,
    handle(ctx) {
      const id = positiveInt(ctx.params['list_id']);
      const list = id === null ? undefined : ctx.state.lists.get(id);
      if (!list) return notFound(`List ${ctx.params['list_id']} not found`);
      return createListEntry(ctx.state, list, ctx.body);
    },
  },
  {
    method: 'POST',
    template: '/organizations',
    creates: true,
    handle: (ctx) => createOrganization(ctx.state, ctx.body),
  },
  {
    method: 'POST',
    template: '/v2/lists/{listId}/fields/{fieldId}/dropdown-options',
    creates: true,
    handle(ctx) {
      // Older API versions lack this route, as they lack the GET.
      if (ctx.legacyDropdowns) return notFound(`No route POST ${ctx.pathname}`);
      const list = findList(ctx);
      if ('status' in list) return list;
      const field = list.fieldById.get(ctx.params['fieldId'] ?? '');
      if (!field) return notFound(`Field ${ctx.params['fieldId']} not found on list ${list.id}`);
      if (ctx.body === undefined)
        return errorResult(400, { code: 'bad-request', message: 'A body is required' });
      return createDropdownOption(ctx.state, field, ctx.body);
    },
  },
];
