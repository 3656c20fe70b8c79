import { afterAll, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import { type ListEntry, responseSchemas } from '../../src/affinity/schemas.js';
import { writability } from '../../src/affinity/value-type.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { quirksFixture } from '../simulator/support.js';
import { specValidator } from '../support/openapi.js';

// One named case per response quirk the official documents allow and a client could trip on.

const latest = 'openapi-v2-2026-07-15.json' as const;
const sim: RunningSimulator = await startSimulator({ fixture: quirksFixture });
afterAll(() => sim.close());
const client = () => new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });

async function scan(listId: number, fieldIds: string[] = []): Promise<ListEntry[][]> {
  const pages: ListEntry[][] = [];
  for await (const page of client().listEntryPages(listId, { fieldIds, limit: 1 })) pages.push(page);
  return pages;
}

const hiddenField = {
  id: 'field-h1',
  name: 'Deal Terms',
  type: 'hidden',
  enrichmentSource: null,
  value: { type: 'text', data: null },
};

describe('response quirks', () => {
  it('GET /v2/companies/{id} with a field of type "hidden" parses, and the field is not writable', async () => {
    const body = {
      id: 1,
      name: 'Northwind Analytics',
      domain: 'northwind.example',
      domains: ['northwind.example'],
      isGlobal: false,
      fields: [hiddenField],
    };
    const validate = specValidator('Company', latest);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(responseSchemas.company.parse(body).fields).toEqual([hiddenField]);
    // The simulator serves the same quirk; its body parses the same way.
    const served = await fetch(`${sim.url}/v2/companies/1?fieldIds=field-h1`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    expect(responseSchemas.company.parse(await served.json()).fields).toEqual([hiddenField]);
    expect(writability('hidden', 'text').kind).toBe('unknown');
  });

  it('a list-entry page with a field of type "hidden" parses through the client', async () => {
    const entries = (await scan(3001, ['field-1', 'field-h1'])).flat();
    expect(entries.map((e) => e.id)).toEqual([31, 32]);
    expect(entries[0]?.entity.fields).toEqual([
      {
        id: 'field-1',
        name: 'ARR',
        type: 'list',
        enrichmentSource: null,
        value: { type: 'number', data: 10 },
      },
      hiddenField,
    ]);
  });

  it('a list-entry page whose data is null reads as an empty page, and the scan goes on', async () => {
    const body = { data: null, pagination: { prevUrl: null, nextUrl: null } };
    for (const doc of ['openapi-v2-2024-01-01.json', latest] as const) {
      expect(specValidator('ListEntryWithEntityPaged', doc)(body)).toBe(true);
    }
    expect(responseSchemas.listEntryPage.parse(body).data).toEqual([]);

    sim.setQuirks({ nullPages: true });
    try {
      const pages = await scan(3001);
      expect(pages.map((p) => p.map((e) => e.id))).toEqual([[], [31], [32]]);
      expect(await scan(3002)).toEqual([[], []]);
    } finally {
      sim.setQuirks({ nullPages: false });
    }
  });
});
