import { z } from 'zod';
import type { Logger } from '../log/logger.js';
import { AffinityApiError } from './affinity-api-error.js';
import type { FieldValueChange, V1FieldTracking } from './change-schemas.js';
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

const updateFieldsResponseSchema = z.unknown();

/** Typed calls to the Affinity API v2 endpoints affinity-sync uses (plus v1 dropdown options). */
export class AffinityClient {
  /** Every HTTP request sent, including retries. */
  readonly calls: CallCounts;
  private readonly transport: AffinityTransport;
  private readonly logger: Logger | undefined;

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

  /** Companies by id with the values of `fieldIds` (global and enriched fields; list fields are not on companies). */
  async getCompaniesWithFields(ids: number[], fieldIds: string[]): Promise<Entity[]> {
    const companies: Entity[] = [];
    for (let i = 0; i < ids.length; i += maxPageSize) {
      const chunk = ids.slice(i, i + maxPageSize);
      companies.push(
        ...(await this.all(
          '/v2/companies',
          { ids: chunk, fieldIds, limit: maxPageSize },
          responseSchemas.companyPage,
        )),
      );
    }
    return companies;
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
