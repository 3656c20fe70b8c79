import { ChangeLog } from './change-log.js';
import type { SimField } from './field-model.js';
import { type Fixture, FixtureError, type FixturePerson, type ParsedFixture } from './fixture.js';
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
  type: 'company';
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

const createdAt = '2024-01-01T00:00:00Z';

/** The simulator's data: lists, fields, entries, companies and persons. Mutated by PATCH. */
export class SimulatorState {
  readonly lists = new Map<number, SimList>();
  readonly companies = new Map<number, SimCompany>();
  readonly persons = new Map<number, FixturePerson>();
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
    for (const p of fixture.persons ?? []) state.persons.set(p.id, p);
    fixture.lists.forEach((l, listIndex) => {
      const fields = l.fields.map(
        (f): SimField => ({
          id: f.id,
          name: f.name,
          type: f.type,
          valueType: f.valueType,
          enrichmentSource: f.enrichmentSource ?? (f.type === 'enriched' ? 'affinity-data' : null),
          dropdownOptions: f.dropdownOptions ?? [],
          optionById: new Map((f.dropdownOptions ?? []).map((o) => [o.id, o])),
          trackChanges: f.trackChanges ?? false,
        }),
      );
      const list: SimList = {
        id: l.id,
        name: l.name,
        type: 'company',
        createdAt,
        fields,
        fieldById: new Map(fields.map((f) => [f.id, f])),
        entries: [],
        entryById: new Map(),
      };
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
      state.lists.set(list.id, list);
    });
    return state;
  }

  /** The stored (write-form) data of `field` on `entry`, or null. */
  read(entry: SimEntry, field: SimField): unknown {
    const holder = field.type === 'list' ? entry.values : this.companies.get(entry.entityId)?.values;
    return holder?.get(field.id) ?? null;
  }

  /** Stores write-form data; null clears. Non-list fields are stored on the company, shared by its entries. */
  store(entry: SimEntry, field: SimField, data: unknown): void {
    const holder = field.type === 'list' ? entry.values : this.companies.get(entry.entityId)?.values;
    if (!holder) return;
    if (data === null) holder.delete(field.id);
    else holder.set(field.id, data);
  }

  /** Every field known on any list, by id (for /v2/companies?fieldIds=…). */
  entityFields(): Map<string, SimField> {
    const fields = new Map<string, SimField>();
    for (const list of this.lists.values()) {
      for (const field of list.fields) if (field.type !== 'list') fields.set(field.id, field);
    }
    return fields;
  }

  /** The state in fixture format (values in write form), so a dump can be loaded back. */
  dump(): Fixture {
    return {
      companies: [...this.companies.values()].map((c) => ({
        id: c.id,
        name: c.name,
        domain: c.domain,
        domains: c.domains,
      })),
      persons: [...this.persons.values()],
      lists: [...this.lists.values()].map((l) => ({
        id: l.id,
        name: l.name,
        type: l.type,
        fields: l.fields.map((f) => ({
          id: f.id,
          name: f.name,
          type: f.type,
          valueType: f.valueType,
          enrichmentSource: f.enrichmentSource,
          ...(f.dropdownOptions.length > 0 ? { dropdownOptions: f.dropdownOptions } : {}),
          ...(f.trackChanges ? { trackChanges: true } : {}),
        })),
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
