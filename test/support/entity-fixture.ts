import type { Fixture } from '../../src/simulator/fixture.js';

/**
 * Companies and persons with fields of their own, a person list (202) and an opportunity list
 * (303). Acme's second domain acme.io is not its primary one; Sam has no e-mail address.
 */
export const entityFixture: Fixture = {
  companies: [
    {
      id: 1,
      name: 'Acme',
      domain: 'acme.com',
      domains: ['acme.com', 'acme.io'],
      values: { 'field-50': 120 },
    },
    { id: 2, name: 'Acme Robotics', domain: 'acmerobotics.com', domains: ['acmerobotics.com'] },
    { id: 3, name: 'Globex', domain: 'globex.com', domains: ['globex.com'] },
  ],
  persons: [
    {
      id: 11,
      firstName: 'Jane',
      lastName: 'Doe',
      primaryEmailAddress: 'jane@acme.com',
      emailAddresses: ['jane.doe@gmail.com'],
      values: { 'field-60': 'Partner' },
    },
    { id: 12, firstName: 'Sam', lastName: null, primaryEmailAddress: null },
  ],
  opportunities: [{ id: 21, name: 'Acme Series B', listId: 303 }],
  companyFields: [
    { id: 'field-50', name: 'Headcount', type: 'global', valueType: 'number' },
    { id: 'field-51', name: 'ESG score', type: 'global', valueType: 'number' },
    { id: 'affinity-data-description', name: 'Description', type: 'enriched', valueType: 'text' },
  ],
  personFields: [{ id: 'field-60', name: 'Title', type: 'global', valueType: 'text' }],
  lists: [
    {
      id: 202,
      name: 'Founders',
      type: 'person',
      fields: [
        { id: 'field-70', name: 'Score', type: 'list', valueType: 'number' },
        { id: 'field-60', name: 'Title', type: 'global', valueType: 'text' },
      ],
      entries: [
        { id: 2001, entityId: 11, values: { 'field-70': 3 } },
        { id: 2002, entityId: 12, values: {} },
      ],
    },
    {
      id: 303,
      name: 'Deals',
      type: 'opportunity',
      fields: [{ id: 'field-80', name: 'Amount', type: 'list', valueType: 'number' }],
      entries: [{ id: 3001, entityId: 21, values: { 'field-80': 5 } }],
    },
  ],
};
