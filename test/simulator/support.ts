import type { Fixture } from '../../src/simulator/fixture.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { dealsFields } from '../support/deals-fields.js';

/** A fixture with one writable field of every value type, plus read-only ones. */
export const allTypesFixture: Fixture = {
  companies: [
    {
      id: 1,
      name: 'Northwind Analytics',
      domain: 'northwindanalytics.com',
      domains: ['northwindanalytics.com'],
    },
    { id: 2, name: 'Bluefin Labs', domain: 'bluefinlabs.io', domains: ['bluefinlabs.io', 'bluefin.ai'] },
    { id: 3, name: 'Cedar Health', domain: null, domains: [] },
  ],
  persons: [{ id: 7, firstName: 'Alex', lastName: 'Rivera', primaryEmailAddress: 'alex@example.com' }],
  lists: [
    {
      id: 2001,
      name: 'Deals',
      type: 'company',
      fields: dealsFields,
      entries: [
        {
          id: 11,
          entityId: 1,
          values: { 'field-2': 100, 'field-5': { dropdownOptionId: 51, text: 'Seed' } },
        },
        { id: 12, entityId: 2, values: { 'field-7': [{ dropdownOptionId: 71 }, { dropdownOptionId: 72 }] } },
        { id: 13, entityId: 3, values: {} },
        { id: 14, entityId: 1, values: {} },
        { id: 15, entityId: 2, values: { 'affinity-data-description': 'Ocean data.' } },
      ],
    },
  ],
};

/** Small HTTP helpers bound to one simulator. */
export function api(sim: RunningSimulator) {
  const auth = { authorization: `Bearer ${sim.apiKey}` };
  return {
    get: (path: string, init: RequestInit = {}) =>
      fetch(path.startsWith('http') ? path : `${sim.url}${path}`, {
        ...init,
        headers: { ...auth, ...init.headers },
      }),
    patch: (path: string, body: unknown, init: RequestInit = {}) =>
      fetch(`${sim.url}${path}`, {
        ...init,
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify(body),
      }),
    /** PATCH update-fields on entry `entryId` of list 2001 (or `listId`). */
    update: (entryId: number, updates: unknown[], listId = 2001) =>
      fetch(`${sim.url}/v2/lists/${listId}/list-entries/${entryId}/fields`, {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'update-fields', updates }),
      }),
  };
}

/**
 * Responses the 2026-07-15 document allows that a client may not expect: "Deal Terms" (field-h1) is
 * `hidden` (masked, never writable) and shows on list entries and on company 1; list 3002 is empty.
 */
export const quirksFixture: Fixture = {
  companies: [
    { id: 1, name: 'Northwind Analytics', domain: 'northwind.example', domains: ['northwind.example'] },
    { id: 2, name: 'Bluefin Labs', domain: 'bluefin.example', domains: ['bluefin.example'] },
  ],
  lists: [
    {
      id: 3001,
      name: 'Restricted deals',
      type: 'company',
      fields: [
        { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number' },
        { id: 'field-h1', name: 'Deal Terms', type: 'hidden', valueType: 'text' },
      ],
      entries: [
        { id: 31, entityId: 1, values: { 'field-1': 10, 'field-h1': 'secret terms' } },
        { id: 32, entityId: 2, values: {} },
      ],
    },
    { id: 3002, name: 'Empty', type: 'company', fields: [], entries: [] },
  ],
};
