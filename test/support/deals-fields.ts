import type { Fixture } from '../../src/simulator/fixture.js';

type FixtureField = NonNullable<NonNullable<Fixture['lists']>[number]['fields']>[number];

/**
 * The fields of the "Deals" test list: one writable field of every value type, a global one and
 * the read-only kinds (enriched, relationship intelligence, formula). One copy, shared by the
 * simulator and bad-input tests so the two never drift.
 */
export const dealsFields: FixtureField[] = [
  { id: 'field-1', name: 'Notes', type: 'list', valueType: 'text' },
  { id: 'field-2', name: 'ARR', type: 'list', valueType: 'number' },
  { id: 'field-3', name: 'Rounds', type: 'list', valueType: 'number-multi' },
  { id: 'field-4', name: 'Closed', type: 'list', valueType: 'datetime' },
  {
    id: 'field-5',
    name: 'Stage',
    type: 'list',
    valueType: 'dropdown',
    dropdownOptions: [
      { id: 51, text: 'Seed' },
      { id: 52, text: 'Series A' },
    ],
  },
  {
    id: 'field-6',
    name: 'Health',
    type: 'list',
    valueType: 'ranked-dropdown',
    dropdownOptions: [
      { id: 61, text: 'Good', rank: 0, color: 'green' },
      { id: 62, text: 'Bad', rank: 1, color: 'red' },
    ],
  },
  {
    id: 'field-7',
    name: 'Tags',
    type: 'list',
    valueType: 'dropdown-multi',
    dropdownOptions: [
      { id: 71, text: 'AI' },
      { id: 72, text: 'SaaS' },
      { id: 73, text: 'Climate' },
    ],
  },
  { id: 'field-8', name: 'HQ', type: 'list', valueType: 'location' },
  { id: 'field-9', name: 'Offices', type: 'list', valueType: 'location-multi' },
  { id: 'field-10', name: 'Owner', type: 'list', valueType: 'person' },
  { id: 'field-11', name: 'Team', type: 'list', valueType: 'person-multi' },
  { id: 'field-12', name: 'Lead', type: 'list', valueType: 'company' },
  { id: 'field-13', name: 'Co-investors', type: 'list', valueType: 'company-multi' },
  { id: 'field-14', name: 'Region', type: 'global', valueType: 'text' },
  { id: 'affinity-data-description', name: 'Description', type: 'enriched', valueType: 'text' },
  {
    id: 'first-email',
    name: 'First Email',
    type: 'relationship-intelligence',
    valueType: 'interaction',
  },
  { id: 'field-15', name: 'Score', type: 'list', valueType: 'formula-number' },
];
