import type { SimField } from './field-model.js';
import { renderField } from './read-value.js';
import type { EntityKind, SimCompany, SimOpportunity, SimPerson, SimulatorState } from './state.js';

// Entities as Affinity returns them (Company, Person, OpportunityWithFields of the 2026-07-15
// document), with the requested fields' values read from `values`.

export function renderCompany(
  state: SimulatorState,
  company: SimCompany,
  fields: readonly SimField[],
): Record<string, unknown> {
  return {
    id: company.id,
    name: company.name,
    domain: company.domain,
    domains: company.domains,
    isGlobal: false,
    fields: fields.map((f) => renderField(state, f, company.values.get(f.id) ?? null)),
  };
}

export function renderPerson(
  state: SimulatorState,
  person: SimPerson,
  fields: readonly SimField[],
): Record<string, unknown> {
  return {
    id: person.id,
    // Person.firstName is a string in the document; a nameless person reads as "".
    firstName: person.firstName ?? '',
    lastName: person.lastName,
    primaryEmailAddress: person.primaryEmailAddress,
    emailAddresses: person.emailAddresses,
    type: 'external',
    fields: fields.map((f) => renderField(state, f, person.values.get(f.id) ?? null)),
  };
}

export function renderOpportunity(
  state: SimulatorState,
  opportunity: SimOpportunity,
  fields: readonly SimField[],
): Record<string, unknown> {
  return {
    id: opportunity.id,
    name: opportunity.name,
    listId: opportunity.listId,
    isRestricted: false,
    isRedacted: false,
    fields: fields.map((f) => renderField(state, f, opportunity.values.get(f.id) ?? null)),
  };
}

/** A company or person by id, rendered, or undefined when there is none. */
export function renderEntityById(
  state: SimulatorState,
  kind: EntityKind,
  id: number,
  fields: readonly SimField[],
): Record<string, unknown> | undefined {
  if (kind === 'company') {
    const company = state.companies.get(id);
    return company && renderCompany(state, company, fields);
  }
  const person = state.persons.get(id);
  return person && renderPerson(state, person, fields);
}
