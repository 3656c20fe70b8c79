import { z } from 'zod';
import type { Logger } from '../log/logger.js';
import { AffinityApiError } from './affinity-api-error.js';
import type { FieldValueChange, V1FieldTracking } from './change-schemas.js';
import {
  type DropdownOptionToCreate,
  type V1ListEntry,
  type V1Organization,
  v1ListEntrySchema,
  v1OrganizationSchema,
  v1PersonSchema,
} from './create-schemas.js';
import {
  type EntityKind,
  type EntityRecord,
  entityRecordSchema,
  entityResponseSchemas,
  v1OrganizationPageSchema,
  v1PersonPageSchema,
} from './entity-schemas.js';
import type { FieldUpdate } from './field-value.js';
import {
  type DropdownOption,
  type Entity,
  type Field,
  type FieldMetadata,
  type List,
  type ListEntry,
  type Page,
  responseSchemas,
  type WhoAmI,
} from './schemas.js';
import { AffinityTransport, type CallCounts, type QueryValue, type TransportOptions } from './transport.js';

export type { CallCounts } from './transport.js';

/** The client's options are its transport's: auth, base URL, limiter, retries, timeout. */
export type AffinityClientOptions = TransportOptions;

/** Affinity accepts at most this many updates in one PATCH …/fields. */
export const maxUpdatesPerCall = 100;
/** Largest page Affinity serves. */
const maxPageSize = 100;
/** Largest page v1 search serves. */
const v1PageSize = 500;
/** The path segment of each entity kind. */
const entityPath: Record<EntityKind, string> = { company: 'companies', person: 'persons' };

const updateFieldsResponseSchema = z.unknown();

/** Typed calls to the Affinity API v2 endpoints affinity-sync uses (plus v1 dropdown options). */
export class AffinityClient {
  /** Every HTTP request sent, including retries. */
  readonly calls: CallCounts;
  private readonly transport: AffinityTransport;
  private readonly logger: Logger | undefined;
  /** Entity kinds whose v2 search answered 404 (an older API version): search them with v1. */
  private readonly v1Search = new Set<EntityKind>();

  constructor(options: AffinityClientOptions) {
    this.transport = new AffinityTransport(options);
    this.calls = this.transport.calls;
    this.logger = options.logger;
  }

  whoami(): Promise<WhoAmI> {
    return this.get('/v2/auth/whoami', {}, responseSchemas.whoami);
  }

  async *listLists(): AsyncIterable<List> {
    for await (const page of this.pages('/v2/lists', { limit: maxPageSize }, responseSchemas.listPage)) {
      yield* page;
    }
  }

  getList(listId: number): Promise<List> {
    return this.get(`/v2/lists/${listId}`, {}, responseSchemas.list);
  }

  /** Every field of the list, across all pages. */
  getListFields(listId: number): Promise<FieldMetadata[]> {
    return this.all(`/v2/lists/${listId}/fields`, { limit: maxPageSize }, responseSchemas.listFieldsPage);
  }

  /**
   * The options of a dropdown field: v2 dropdown-options where the API has it, else (404) the
   * v1 `GET /fields?list_id=` listing, where v1 field 1234 is v2 "field-1234".
   */
  async getDropdownOptions(listId: number, fieldId: string): Promise<DropdownOption[]> {
    try {
      return await this.all(
        `/v2/lists/${listId}/fields/${encodeURIComponent(fieldId)}/dropdown-options`,
        { limit: maxPageSize },
        responseSchemas.dropdownOptionPage,
      );
    } catch (error) {
      const v1Id = /^field-(\d+)$/.exec(fieldId)?.[1];
      if (!(error instanceof AffinityApiError) || error.status !== 404 || v1Id === undefined) throw error;
      this.logger?.debug({ listId, fieldId }, 'v2 dropdown-options not found; reading v1 /fields');
      const fields = await this.transport.request({
        method: 'GET',
        url: this.transport.url('/fields', { list_id: listId }),
        schema: responseSchemas.v1Fields,
        auth: 'basic',
      });
      const field = fields.find((f) => String(f.id) === v1Id);
      // v1 does not know the field either: the v2 404 says it best.
      if (field === undefined) throw error;
      return field.dropdown_options;
    }
  }

  /** Pages of list entries with the requested fields' current values, following `nextUrl`. */
  listEntryPages(
    listId: number,
    options: { fieldIds?: string[]; limit?: number } = {},
  ): AsyncIterable<ListEntry[]> {
    const limit = options.limit ?? maxPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
      throw new RangeError(`listEntryPages: limit ${limit} is outside 1..${maxPageSize}`);
    }
    return this.pages(
      `/v2/lists/${listId}/list-entries`,
      { limit, fieldIds: options.fieldIds ?? [] },
      responseSchemas.listEntryPage,
    );
  }

  /** One list entry with its entity and the values of `fieldIds` (one request, ≤100 fields). */
  getListEntry(listId: number, listEntryId: number, fieldIds: string[]): Promise<ListEntry> {
    return this.get(
      `/v2/lists/${listId}/list-entries/${listEntryId}`,
      { fieldIds },
      responseSchemas.listEntry,
    );
  }

  /** The fields (with values) of one list entry; all of them, or only `fieldIds`. */
  getListEntryFields(listId: number, listEntryId: number, fieldIds?: string[]): Promise<Field[]> {
    return this.all(
      `/v2/lists/${listId}/list-entries/${listEntryId}/fields`,
      { limit: maxPageSize, ids: fieldIds ?? [] },
      responseSchemas.entryFieldsPage,
    );
  }

  /** Sets field values on one list entry; at most 100 updates (more is a programming error). */
  async updateListEntryFields(listId: number, listEntryId: number, updates: FieldUpdate[]): Promise<void> {
    if (updates.length > maxUpdatesPerCall) {
      throw new RangeError(
        `updateListEntryFields: ${updates.length} updates for list entry ${listEntryId}; ` +
          `Affinity accepts at most ${maxUpdatesPerCall} per call, so split them into batches`,
      );
    }
    if (updates.length === 0) return;
    // update-fields sets values (it does not add to them), so a retried PATCH is idempotent and
    // the transport may resend it after a network error or 5xx.
    await this.transport.request({
      method: 'PATCH',
      url: this.transport.url(`/v2/lists/${listId}/list-entries/${listEntryId}/fields`),
      body: { operation: 'update-fields', updates },
      schema: updateFieldsResponseSchema,
    });
  }

  /** Companies by id (any order, unknown ids omitted), 100 ids per request. */
  async getCompanies(ids: number[]): Promise<Entity[]> {
    const companies: Entity[] = [];
    // No ids would list every company in the account.
    for (let i = 0; i < ids.length; i += maxPageSize) {
      const chunk = ids.slice(i, i + maxPageSize);
      companies.push(
        ...(await this.all('/v2/companies', { ids: chunk, limit: maxPageSize }, responseSchemas.companyPage)),
      );
    }
    return companies;
  }

  getCompany(companyId: number): Promise<Entity> {
    return this.get(`/v2/companies/${companyId}`, {}, responseSchemas.company);
  }

  /**
   * Pages of GET /v2/field-value-changes matching `filter` (Affinity's filter language, e.g.
   * `(field.id=field-1 | field.id=field-2) & changedAt>=2026-01-01T00:00:00Z`), oldest first.
   */
  fieldValueChangePages(filter: string, options: { limit?: number } = {}): AsyncIterable<FieldValueChange[]> {
    return this.pages(
      '/v2/field-value-changes',
      { filter, limit: options.limit ?? maxPageSize },
      responseSchemas.fieldValueChangePage,
    );
  }

  /**
   * v1 GET /fields: a list's own fields with `listId`, the account's global fields with null —
   * the only documented place that tells whether a field tracks changes (`track_changes`).
   */
  getV1FieldTracking(listId: number | null): Promise<V1FieldTracking[]> {
    return this.transport.request({
      method: 'GET',
      url: this.transport.url('/fields', listId === null ? {} : { list_id: listId }),
      schema: responseSchemas.v1FieldTracking,
      auth: 'basic',
    });
  }

  /** Fields of companies or persons themselves (global, enriched, relationship-intelligence), every page. */
  getEntityFields(kind: EntityKind): Promise<FieldMetadata[]> {
    return this.all(
      `/v2/${entityPath[kind]}/fields`,
      { limit: maxPageSize },
      entityResponseSchemas.entityFieldsPage,
    );
  }

  /**
   * The options of a company or person dropdown field: `GET /v2/{companies|persons}/fields/{fieldId}/dropdown-options`
   * (2026-07-15), else (404) v1 `GET /fields` (global fields), where v1 field 1234 is v2 "field-1234".
   */
  async getEntityDropdownOptions(kind: EntityKind, fieldId: string): Promise<DropdownOption[]> {
    try {
      return await this.all(
        `/v2/${entityPath[kind]}/fields/${encodeURIComponent(fieldId)}/dropdown-options`,
        { limit: maxPageSize },
        responseSchemas.dropdownOptionPage,
      );
    } catch (error) {
      const v1Id = /^field-(\d+)$/.exec(fieldId)?.[1];
      if (!(error instanceof AffinityApiError) || error.status !== 404 || v1Id === undefined) throw error;
      this.logger?.debug({ kind, fieldId }, 'v2 entity dropdown-options not found; reading v1 /fields');
      const fields = await this.transport.request({
        method: 'GET',
        url: this.transport.url('/fields'),
        schema: responseSchemas.v1Fields,
        auth: 'basic',
      });
      const field = fields.find((f) => String(f.id) === v1Id);
      if (field === undefined) throw error;
      return field.dropdown_options;
    }
  }

  /**
   * Companies or persons by id with the current values of `fieldIds`: one request per 100 ids,
   * yielded as they arrive. Ids Affinity does not know (merged, deleted) are absent.
   */
  async *entitiesByIds(
    kind: EntityKind,
    ids: readonly number[],
    fieldIds: readonly string[],
  ): AsyncIterable<EntityRecord[]> {
    // No ids would list every company in the account: never send an empty chunk.
    for (let i = 0; i < ids.length; i += maxPageSize) {
      const chunk = ids.slice(i, i + maxPageSize);
      const query = { ids: chunk, fieldIds: [...fieldIds], limit: maxPageSize };
      const pages = this.pages(`/v2/${entityPath[kind]}`, query, entityResponseSchemas.entityRecordPage);
      for await (const page of pages) yield page;
    }
  }

  /** Sets fields of one company or person (2026-07-15); at most 100 updates (more is a programming error). */
  async updateEntityFields(kind: EntityKind, id: number, updates: FieldUpdate[]): Promise<void> {
    if (updates.length > maxUpdatesPerCall) {
      throw new RangeError(
        `updateEntityFields: ${updates.length} updates for ${kind} ${id}; ` +
          `Affinity accepts at most ${maxUpdatesPerCall} per call, so split them into batches`,
      );
    }
    if (updates.length === 0) return;
    // Like list entries: update-fields sets values, so a retried PATCH is idempotent.
    await this.transport.request({
      method: 'PATCH',
      url: this.transport.url(`/v2/${entityPath[kind]}/${id}/fields`),
      body: { operation: 'update-fields', updates },
      schema: updateFieldsResponseSchema,
    });
  }

  /**
   * Companies (name or primary domain) or persons (names or primary email) matching `term`, up to
   * `maxPages` pages: `POST /v2/{companies|persons}/search` (pages of 100), or with `api: 'v1'` —
   * and wherever this API version has no v2 search (404 before 2026-07-15, remembered for the
   * client's life) — v1 `GET /organizations|/persons?term=`, which also matches other domains and
   * addresses (pages of 500). v1 results carry only ids, names, domains and e-mail addresses.
   */
  async searchEntities(
    kind: EntityKind,
    term: string,
    options: { api?: 'v2' | 'v1'; maxPages?: number } = {},
  ): Promise<{ records: EntityRecord[]; api: 'v2' | 'v1' }> {
    const maxPages = options.maxPages ?? 3;
    if (options.api !== 'v1' && !this.v1Search.has(kind)) {
      try {
        return { records: await this.searchV2(kind, term, maxPages), api: 'v2' };
      } catch (error) {
        if (!(error instanceof AffinityApiError) || error.status !== 404) throw error;
        this.logger?.debug({ kind }, 'v2 search not found; searching with v1 ?term=');
        this.v1Search.add(kind);
      }
    }
    return { records: await this.searchV1(kind, term, maxPages), api: 'v1' };
  }

  private async searchV2(kind: EntityKind, term: string, maxPages: number): Promise<EntityRecord[]> {
    const schema = entityResponseSchemas.entityRecordPage;
    const body = { search: { term } };
    const found: EntityRecord[] = [];
    let url: URL | undefined = this.transport.url(`/v2/${entityPath[kind]}/search`, { limit: maxPageSize });
    for (let page = 0; url !== undefined && page < maxPages; page++) {
      // Search only reads: it counts as a read although it is a POST.
      const result: Page<EntityRecord> = await this.transport.request({
        method: 'POST',
        url,
        body,
        schema,
        reads: true,
      });
      found.push(...result.data);
      const nextUrl: string | null | undefined = result.pagination.nextUrl;
      url = nextUrl ? this.transport.nextPageUrl(nextUrl, url) : undefined;
    }
    return found;
  }

  private async searchV1(kind: EntityKind, term: string, maxPages: number): Promise<EntityRecord[]> {
    const found: EntityRecord[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const query = { term, page_size: v1PageSize, page_token: token };
      if (kind === 'company') {
        const url = this.transport.url('/organizations', query);
        const result = await this.transport.request({
          method: 'GET',
          url,
          schema: v1OrganizationPageSchema,
          auth: 'basic',
        });
        for (const o of result.organizations) {
          found.push(
            entityRecordSchema.parse({ id: o.id, name: o.name, domain: o.domain, domains: o.domains }),
          );
        }
        token = result.next_page_token ?? undefined;
      } else {
        const url = this.transport.url('/persons', query);
        const result = await this.transport.request({
          method: 'GET',
          url,
          schema: v1PersonPageSchema,
          auth: 'basic',
        });
        for (const p of result.persons) {
          found.push(
            entityRecordSchema.parse({
              id: p.id,
              firstName: p.first_name,
              lastName: p.last_name,
              primaryEmailAddress: p.primary_email,
              emailAddresses: p.emails,
            }),
          );
        }
        token = result.next_page_token ?? undefined;
      }
      if (token === undefined) break;
    }
    return found;
  }

  /**
   * Adds an entity to a list (v1; v2 has no create). Not idempotent — a resent request adds the
   * entity twice — so it is never resent: after a timeout, network error or 5xx the caller checks
   * `listEntriesOfEntity` before adding again.
   */
  addListEntry(listId: number, entityId: number): Promise<V1ListEntry> {
    return this.transport.request({
      method: 'POST',
      url: this.transport.url(`/lists/${listId}/list-entries`),
      body: { entity_id: entityId },
      schema: v1ListEntrySchema,
      auth: 'basic',
      idempotent: false,
    });
  }

  /** Creates a company (v1). Never resent: after a lost response the caller looks the domain up. */
  createOrganization(company: { name: string; domain: string }): Promise<V1Organization> {
    return this.transport.request({
      method: 'POST',
      url: this.transport.url('/organizations'),
      body: company,
      schema: v1OrganizationSchema,
      auth: 'basic',
      idempotent: false,
    });
  }

  /** Creates a dropdown option (2026-07-15 v2). Never resent: after a lost response the caller re-reads the options. */
  createDropdownOption(
    listId: number,
    fieldId: string,
    option: DropdownOptionToCreate,
  ): Promise<DropdownOption> {
    return this.transport.request({
      method: 'POST',
      url: this.transport.url(`/v2/lists/${listId}/fields/${encodeURIComponent(fieldId)}/dropdown-options`),
      body: option,
      schema: responseSchemas.dropdownOption,
      idempotent: false,
    });
  }

  /**
   * The list entries of one company or person on every list (v1, which answers from the store
   * the v1 create wrote to, so a create just made is there).
   */
  async listEntriesOfEntity(kind: 'company' | 'person', entityId: number): Promise<V1ListEntry[]> {
    const path = kind === 'company' ? `/organizations/${entityId}` : `/persons/${entityId}`;
    const schema = kind === 'company' ? v1OrganizationSchema : v1PersonSchema;
    const entity = await this.transport.request({
      method: 'GET',
      url: this.transport.url(path),
      schema,
      auth: 'basic',
    });
    return entity.list_entries ?? [];
  }

  private get<T>(path: string, query: Record<string, QueryValue>, schema: z.ZodType<T>): Promise<T> {
    return this.transport.request({ method: 'GET', url: this.transport.url(path, query), schema });
  }

  /** Pages of `path`, following `pagination.nextUrl` verbatim (checked to stay on the base origin). */
  private async *pages<T>(
    path: string,
    query: Record<string, QueryValue>,
    schema: z.ZodType<Page<T>>,
  ): AsyncGenerator<T[], void, undefined> {
    let url: URL | undefined = this.transport.url(path, query);
    while (url !== undefined) {
      const page: Page<T> = await this.transport.request({ method: 'GET', url, schema });
      yield page.data;
      const nextUrl: string | null | undefined = page.pagination.nextUrl;
      url = nextUrl ? this.transport.nextPageUrl(nextUrl, url) : undefined;
    }
  }

  private async all<T>(
    path: string,
    query: Record<string, QueryValue>,
    schema: z.ZodType<Page<T>>,
  ): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages(path, query, schema)) items.push(...page);
    return items;
  }
}
