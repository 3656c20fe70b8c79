import { ChangeLog } from './change-log.js';
import type { SimField } from './field-model.js';
import {
  type Fixture,
  FixtureError,
  type FixtureField,
  type ListType,
  type ParsedFixture,
} from './fixture.js';
import { checkValueData } from './value-data.js';

export interface SimEntry {
  id: number;
  listId: number;
  entityId: number;
  createdAt: string;
  /** Values of `list` fields, stored in write form (see value-data.ts); absent = null. */
  values: Map<string, unknown>;
}

export interface SimList {
  id: number;
  name: string;
  type: ListType;
  createdAt: string;
  fields: SimField[];
  fieldById: Map<string, SimField>;
  /** In id order: a cursor is an index, so a page costs O(page). */
  entries: SimEntry[];
  entryById: Map<number, SimEntry>;
}

export interface SimCompany {
  id: number;
  name: string;
  domain: string | null;
  domains: string[];
  /** Values of global, enriched, relationship-intelligence and hidden fields belong to the company, not the entry. */
  values: Map<string, unknown>;
}

export interface SimPerson {
  id: number;
  firstName: string | null;
  lastName: string | null;
  primaryEmailAddress: string | null;
  /** Every address, the primary one included. */
  emailAddresses: string[];
  /** Values of the person's non-list fields. */
  values: Map<string, unknown>;
}

export interface SimOpportunity {
  id: number;
  name: string;
  listId: number;
  /** Values of the opportunity's non-list fields. */
  values: Map<string, unknown>;
}

/** Entities with fields of their own (GET /v2/{companies|persons}/fields). */
export type EntityKind = 'company' | 'person';

const createdAt = '2024-01-01T00:00:00Z';

/** The simulator's data: lists, fields, entries, companies and persons. Mutated by PATCH. */
export class SimulatorState {
  readonly lists = new Map<number, SimList>();
  readonly companies = new Map<number, SimCompany>();
  readonly persons = new Map<number, SimPerson>();
  readonly opportunities = new Map<number, SimOpportunity>();
  /** Fixture `companyFields` / `personFields`: entity fields whether or not a list shows them. */
  readonly ownFields: Record<EntityKind, SimField[]> = { company: [], person: [] };
  /** Field value changes of tracked fields, served by GET /v2/field-value-changes (not dumped). */
  readonly changeLog = new ChangeLog();

  /** Builds state from a parsed fixture; throws FixtureError when a value does not fit its field. */
  static fromFixture(fixture: ParsedFixture, source = 'fixture'): SimulatorState {
    const state = new SimulatorState();
    for (const c of fixture.companies) {
      const domain = c.domain ?? c.domains?.[0] ?? null;
      const domains = c.domains ?? (domain ? [domain] : []);
      state.companies.set(c.id, { id: c.id, name: c.name, domain, domains, values: new Map() });
    }
    for (const p of fixture.persons ?? []) {
      const primary = p.primaryEmailAddress ?? null;
      const emails = p.emailAddresses ?? [];
      const emailAddresses = primary === null || emails.includes(primary) ? emails : [primary, ...emails];
      state.persons.set(p.id, {
        id: p.id,
        firstName: p.firstName,
        lastName: p.lastName,
        primaryEmailAddress: primary,
        emailAddresses,
        values: new Map(),
      });
    }
    for (const o of fixture.opportunities ?? []) state.opportunities.set(o.id, { ...o, values: new Map() });
    state.ownFields.company = (fixture.companyFields ?? []).map(simField);
    state.ownFields.person = (fixture.personFields ?? []).map(simField);
    fixture.lists.forEach((l, listIndex) => {
      const fields = l.fields.map(simField);
      const list: SimList = {
        id: l.id,
        name: l.name,
        type: l.type,
        createdAt,
        fields,
        fieldById: new Map(fields.map((f) => [f.id, f])),
        entries: [],
        entryById: new Map(),
      };
      // Registered first: storing an entry's non-list value looks up the list's type.
      state.lists.set(list.id, list);
      l.entries.forEach((e, entryIndex) => {
        const entry: SimEntry = {
          id: e.id,
          listId: l.id,
          entityId: e.entityId,
          createdAt: e.createdAt ?? createdAt,
          values: new Map(),
        };
        for (const [fieldId, data] of Object.entries(e.values)) {
          const field = list.fieldById.get(fieldId);
          if (!field)
            throw new FixtureError(
              `${source}: lists[${listIndex}].entries[${entryIndex}]: no field "${fieldId}"`,
            );
          const checked = checkValueData(field, data, { lenient: true });
          if (!checked.ok) {
            throw new FixtureError(
              `${source}: lists[${listIndex}].entries[${entryIndex}].values["${fieldId}"]: ${checked.message}`,
            );
          }
          state.store(entry, field, checked.data);
        }
        list.entries.push(entry);
        list.entryById.set(entry.id, entry);
      });
      list.entries.sort((a, b) => a.id - b.id);
    });
    state.storeFixtureValues(fixture, source);
    return state;
  }

  // Fixture `values` of companies and persons, checked against their entity fields.
  private storeFixtureValues(fixture: ParsedFixture, source: string): void {
    const groups = [
      { kind: 'company', items: fixture.companies, at: 'companies' },
      { kind: 'person', items: fixture.persons ?? [], at: 'persons' },
    ] as const;
    for (const { kind, items, at } of groups) {
      const fields = this.fieldsOf(kind);
      items.forEach((item, i) => {
        for (const [fieldId, data] of Object.entries(item.values ?? {})) {
          const where = `${source}: ${at}[${i}].values["${fieldId}"]`;
          const field = fields.get(fieldId);
          if (!field) throw new FixtureError(`${where}: no ${kind} field "${fieldId}"`);
          const checked = checkValueData(field, data, { lenient: true });
          if (!checked.ok) throw new FixtureError(`${where}: ${checked.message}`);
          this.storeOn(kind, item.id, field, checked.data);
        }
      });
    }
  }

  /** The stored (write-form) data of `field` on `entry`, or null. */
  read(entry: SimEntry, field: SimField): unknown {
    return this.holderOf(entry, field)?.get(field.id) ?? null;
  }

  /** Stores write-form data; null clears. Non-list fields are stored on the entity, shared by its entries. */
  store(entry: SimEntry, field: SimField, data: unknown): void {
    const holder = this.holderOf(entry, field);
    if (!holder) return;
    if (data === null) holder.delete(field.id);
    else holder.set(field.id, data);
  }

  /** The stored data of a non-list field on a company or person, or null. */
  readOn(kind: EntityKind, id: number, field: SimField): unknown {
    return this.entityValues(kind, id)?.get(field.id) ?? null;
  }

  /** Stores write-form data on a company or person; null clears. */
  storeOn(kind: EntityKind, id: number, field: SimField, data: unknown): void {
    const holder = this.entityValues(kind, id);
    if (!holder) return;
    if (data === null) holder.delete(field.id);
    else holder.set(field.id, data);
  }

  /** Company fields by id (for /v2/companies?fieldIds=…): `companyFields` and company lists' non-list fields. */
  entityFields(): Map<string, SimField> {
    return this.fieldsOf('company');
  }

  /** Fields of companies or persons: the fixture's own, then the non-list fields of their lists. */
  fieldsOf(kind: EntityKind): Map<string, SimField> {
    const fields = new Map(this.ownFields[kind].map((f) => [f.id, f]));
    for (const list of this.lists.values()) {
      if (list.type !== kind) continue;
      for (const field of list.fields)
        if (field.type !== 'list' && !fields.has(field.id)) fields.set(field.id, field);
    }
    return fields;
  }

  private holderOf(entry: SimEntry, field: SimField): Map<string, unknown> | undefined {
    if (field.type === 'list') return entry.values;
    const type = this.lists.get(entry.listId)?.type ?? 'company';
    if (type === 'opportunity') return this.opportunities.get(entry.entityId)?.values;
    return this.entityValues(type, entry.entityId);
  }

  private entityValues(kind: EntityKind, id: number): Map<string, unknown> | undefined {
    return kind === 'company' ? this.companies.get(id)?.values : this.persons.get(id)?.values;
  }

  /** The state in fixture format (values in write form), so a dump can be loaded back. */
  dump(): Fixture {
    return {
      companies: [...this.companies.values()].map((c) => ({
        id: c.id,
        name: c.name,
        domain: c.domain,
        domains: c.domains,
        ...valuesOf(c.values),
      })),
      persons: [...this.persons.values()].map((p) => ({
        id: p.id,
        firstName: p.firstName,
        lastName: p.lastName,
        primaryEmailAddress: p.primaryEmailAddress,
        ...(p.emailAddresses.length > 0 ? { emailAddresses: p.emailAddresses } : {}),
        ...valuesOf(p.values),
      })),
      ...(this.opportunities.size > 0
        ? {
            opportunities: [...this.opportunities.values()].map(({ id, name, listId }) => ({
              id,
              name,
              listId,
            })),
          }
        : {}),
      ...(this.ownFields.company.length > 0 ? { companyFields: this.ownFields.company.map(dumpField) } : {}),
      ...(this.ownFields.person.length > 0 ? { personFields: this.ownFields.person.map(dumpField) } : {}),
      lists: [...this.lists.values()].map((l) => ({
        id: l.id,
        name: l.name,
        type: l.type,
        fields: l.fields.map(dumpField),
        entries: l.entries.map((e) => {
          const values: Record<string, unknown> = {};
          for (const field of l.fields) {
            const data = this.read(e, field);
            if (data !== null) values[field.id] = data;
          }
          return { id: e.id, entityId: e.entityId, createdAt: e.createdAt, values };
        }),
      })),
    };
  }
}

function simField(f: FixtureField): SimField {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    valueType: f.valueType,
    enrichmentSource: f.enrichmentSource ?? (f.type === 'enriched' ? 'affinity-data' : null),
    dropdownOptions: f.dropdownOptions ?? [],
    optionById: new Map((f.dropdownOptions ?? []).map((o) => [o.id, o])),
    trackChanges: f.trackChanges ?? false,
  };
}

function dumpField(f: SimField): FixtureField {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    valueType: f.valueType,
    enrichmentSource: f.enrichmentSource,
    ...(f.dropdownOptions.length > 0 ? { dropdownOptions: f.dropdownOptions } : {}),
    ...(f.trackChanges ? { trackChanges: true } : {}),
  };
}

// A company's or person's stored values as fixture `values`, left out when there are none.
function valuesOf(values: ReadonlyMap<string, unknown>): { values?: Record<string, unknown> } {
  return values.size > 0 ? { values: Object.fromEntries(values) } : {};
}
