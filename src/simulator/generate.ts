import type { FixtureField, ParsedFixture } from './fixture.js';
import { createRandom, pick, type Random, randomInt } from './random.js';

/** Options of the company generator behind `--companies N`. */
export interface GenerateOptions {
  /** Companies on the Portfolio list. */
  companies: number;
  /** PRNG seed: same seed, same data. @defaultValue 1 */
  seed?: number;
}

/** Id of the generated Portfolio list. */
export const portfolioListId = 1001;

const firstWords = [
  'Northwind',
  'Bluefin',
  'Cedar',
  'Granite',
  'Harbor',
  'Lumen',
  'Meridian',
  'Nimbus',
  'Orchid',
  'Pioneer',
  'Quartz',
  'Redwood',
  'Summit',
  'Tidal',
  'Vertex',
  'Willow',
  'Aurora',
  'Beacon',
  'Cobalt',
  'Delta',
  'Ember',
  'Falcon',
  'Glacier',
  'Helix',
  'Ion',
  'Juniper',
  'Kestrel',
  'Lattice',
  'Mosaic',
  'Nova',
  'Onyx',
  'Prism',
  'Quill',
  'Ridge',
  'Sierra',
  'Terra',
  'Umber',
  'Vista',
  'Wren',
  'Zephyr',
  'Atlas',
  'Birch',
  'Canyon',
  'Drift',
  'Echo',
  'Fjord',
  'Grove',
  'Horizon',
  'Iris',
  'Jade',
  'Keystone',
  'Lark',
  'Maple',
  'Nexus',
  'Oak',
  'Pine',
  'Raven',
  'Solstice',
  'Thistle',
  'Vale',
];
const secondWords = [
  'Analytics',
  'Labs',
  'Health',
  'Robotics',
  'Systems',
  'Bio',
  'Energy',
  'Logistics',
  'Security',
  'Data',
  'Cloud',
  'Payments',
  'Networks',
  'Foods',
  'Mobility',
  'Learning',
  'Capital',
  'Software',
  'Devices',
  'Materials',
  'Therapeutics',
  'Insights',
  'Works',
  'Dynamics',
  'Commerce',
  'Media',
  'Ventures',
  'Studio',
  'Grid',
  'Metrics',
];
const suffixes = ['', ' AI', ' Technologies', ' Group', ' Inc', ' Partners', ' Collective', ' Holdings'];
const tlds = ['com', 'com', 'com', 'io', 'ai', 'co', 'dev'];
const sectors = ['Fintech', 'SaaS', 'AI', 'Climate', 'Health', 'Marketplace', 'Devtools', 'Consumer'];
const cities: [string, string, string, string][] = [
  ['San Francisco', 'California', 'United States', 'North America'],
  ['New York', 'New York', 'United States', 'North America'],
  ['Austin', 'Texas', 'United States', 'North America'],
  ['London', 'England', 'United Kingdom', 'Europe'],
  ['Berlin', 'Berlin', 'Germany', 'Europe'],
  ['Toronto', 'Ontario', 'Canada', 'North America'],
  ['Singapore', 'Singapore', 'Singapore', 'Asia'],
  ['Paris', 'Île-de-France', 'France', 'Europe'],
];
const notes = [
  'Strong founding team; watching burn closely.',
  'Expanding into enterprise accounts this year.',
  'Follow-on discussed at last board meeting.',
  'Category leader in a crowded market.',
  'Needs help with go-to-market hiring.',
];

function option(id: number, text: string, rank?: number, color?: string) {
  return { id, text, ...(rank !== undefined ? { rank } : {}), ...(color !== undefined ? { color } : {}) };
}

/** The Portfolio list's fields: one of each writable kind the sync uses, plus two read-only ones. */
export const portfolioFields: FixtureField[] = [
  { id: 'field-101', name: 'ARR', type: 'list', valueType: 'number' },
  { id: 'field-102', name: 'Headcount', type: 'list', valueType: 'number' },
  { id: 'field-103', name: 'Sector Notes', type: 'list', valueType: 'text' },
  {
    id: 'field-104',
    name: 'Stage',
    type: 'list',
    valueType: 'dropdown',
    dropdownOptions: ['Seed', 'Series A', 'Series B', 'Series C', 'Growth'].map((t, i) =>
      option(10401 + i, t),
    ),
  },
  {
    id: 'field-105',
    name: 'Health',
    type: 'list',
    valueType: 'ranked-dropdown',
    dropdownOptions: [
      option(10501, 'Healthy', 0, 'green'),
      option(10502, 'Watch', 1, 'orange'),
      option(10503, 'At Risk', 2, 'red'),
    ],
  },
  { id: 'field-106', name: 'Last Funding Date', type: 'list', valueType: 'datetime' },
  { id: 'field-107', name: 'HQ', type: 'list', valueType: 'location' },
  {
    id: 'field-108',
    name: 'Sectors',
    type: 'list',
    valueType: 'dropdown-multi',
    dropdownOptions: sectors.map((t, i) => option(10801 + i, t)),
  },
  { id: 'field-109', name: 'Round Sizes', type: 'list', valueType: 'number-multi' },
  { id: 'field-110', name: 'Board Member', type: 'list', valueType: 'person' },
  { id: 'field-111', name: 'Lead Investor', type: 'list', valueType: 'company' },
  {
    id: 'affinity-data-description',
    name: 'Description',
    type: 'enriched',
    valueType: 'text',
    enrichmentSource: 'affinity-data',
  },
  {
    id: 'last-email',
    name: 'Last Email',
    type: 'relationship-intelligence',
    valueType: 'interaction',
    enrichmentSource: null,
  },
];

const personNames = [
  ['Alex', 'Rivera'],
  ['Jordan', 'Lee'],
  ['Sam', 'Patel'],
  ['Morgan', 'Chen'],
  ['Taylor', 'Okafor'],
  ['Casey', 'Novak'],
  ['Jamie', 'Silva'],
  ['Riley', 'Haddad'],
  ['Avery', 'Kim'],
  ['Quinn', 'Moreau'],
];

const combos = firstWords.length * secondWords.length;

function uniqueCompany(
  random: Random,
  i: number,
  offset: number,
  takenDomains: Set<string>,
): { name: string; domain: string } {
  // A seeded walk over the name grid (7919 is prime, so it visits every pair once per round);
  // the suffix tier and a counter keep large N unique.
  const base = (i * 7919 + offset) % combos;
  const tier = Math.floor(i / combos);
  const first = firstWords[base % firstWords.length];
  const second = secondWords[Math.floor(base / firstWords.length)];
  const suffix = suffixes[tier % suffixes.length] ?? '';
  const round = Math.floor(tier / suffixes.length);
  const name = `${first} ${second}${suffix}${round > 0 ? ` ${round + 1}` : ''}`;
  const stem = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  let domain = `${stem}.${pick(random, tlds)}`;
  for (let n = 2; takenDomains.has(domain); n++) domain = `${stem}${n}.com`;
  takenDomains.add(domain);
  return { name, domain };
}

/**
 * N companies with realistic names and domains (about 10% with a second domain), on a Portfolio
 * list (id 1001) with partly filled values; about 2% of companies are on the list twice.
 * Deterministic for a seed.
 */
export function generateFixture(options: GenerateOptions): ParsedFixture {
  const random = createRandom(options.seed ?? 1);
  const taken = new Set<string>();
  const offset = randomInt(random, 0, combos - 1);
  const companies: ParsedFixture['companies'] = [];
  for (let i = 0; i < options.companies; i++) {
    const { name, domain } = uniqueCompany(random, i, offset, taken);
    const domains = [domain];
    if (random() < 0.1) {
      let alternate = `${domain.slice(0, domain.lastIndexOf('.'))}.${pick(random, ['io', 'ai', 'co', 'net'])}`;
      if (taken.has(alternate)) alternate = `get${domain}`;
      if (!taken.has(alternate)) {
        taken.add(alternate);
        domains.push(alternate);
      }
    }
    companies.push({ id: 1 + i, name, domain, domains });
  }
  const persons = personNames.map(([firstName, lastName], i) => ({
    id: 501 + i,
    firstName: firstName ?? null,
    lastName: lastName ?? null,
    primaryEmailAddress: `${(firstName ?? '').toLowerCase()}@simulated.example`,
  }));

  const values = (): Record<string, unknown> => {
    const v: Record<string, unknown> = {};
    const filled = () => random() < 0.6;
    if (filled()) v['field-101'] = randomInt(random, 1, 500) * 10_000;
    if (filled()) v['field-102'] = randomInt(random, 3, 800);
    if (filled()) v['field-103'] = pick(random, notes);
    if (filled()) v['field-104'] = { dropdownOptionId: 10401 + randomInt(random, 0, 4) };
    if (filled()) v['field-105'] = { dropdownOptionId: 10501 + randomInt(random, 0, 2) };
    if (filled()) {
      const day = new Date(Date.UTC(2019, 0, 1) + randomInt(random, 0, 2000) * 86_400_000);
      v['field-106'] = `${day.toISOString().slice(0, 10)}T00:00:00Z`;
    }
    if (filled()) {
      const [city, state, country, continent] = pick(random, cities);
      v['field-107'] = { streetAddress: null, city, state, country, continent };
    }
    if (filled()) {
      const a = randomInt(random, 0, sectors.length - 1);
      const b = (a + randomInt(random, 1, sectors.length - 1)) % sectors.length;
      v['field-108'] = [{ dropdownOptionId: 10801 + a }, { dropdownOptionId: 10801 + b }];
    }
    if (filled()) v['field-109'] = [randomInt(random, 1, 20) * 500_000, randomInt(random, 1, 40) * 1_000_000];
    if (filled()) v['field-110'] = { id: pick(random, persons).id };
    if (filled() && companies.length > 0) v['field-111'] = { id: randomInt(random, 1, companies.length) };
    if (filled()) v['affinity-data-description'] = `${pick(random, sectors)} company.`;
    return v;
  };

  const entries: ParsedFixture['lists'][number]['entries'] = [];
  const twice: number[] = [];
  let nextEntryId = 100_001;
  for (const company of companies) {
    entries.push({ id: nextEntryId++, entityId: company.id, values: values() });
    if (random() < 0.02) twice.push(company.id);
  }
  for (const entityId of twice) entries.push({ id: nextEntryId++, entityId, values: values() });

  return {
    companies,
    persons,
    lists: [{ id: portfolioListId, name: 'Portfolio', type: 'company', fields: portfolioFields, entries }],
  };
}
