import { describe, expect, it } from 'vitest';
import { entityRecordSchema } from '../../src/affinity/entity-schemas.js';
import { normalizeEmail } from '../../src/sync/email.js';
import { entityKey, exactIds, keysOf } from '../../src/sync/entity-keys.js';

describe('normalizeEmail', () => {
  it.each([
    ['jane@acme.com', 'jane@acme.com'],
    ['  Jane.Doe@ACME.com\t', 'jane.doe@acme.com'],
    ['mailto:Sam@Example.org', 'sam@example.org'],
    ['a+tag@sub.example.co.uk', 'a+tag@sub.example.co.uk'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
    expect(normalizeEmail(expected)).toBe(expected);
  });

  it.each(['', 'jane', '@acme.com', 'jane@', 'jane@acme', 'ja ne@acme.com', 'a@b@acme.com', 'jane@acme.'])(
    '%j is not an address',
    (input) => {
      expect(normalizeEmail(input)).toBeNull();
    },
  );
});

describe('entity keys', () => {
  const company = (id: number, domain: string | null, domains: string[]) =>
    entityRecordSchema.parse({ id, name: `C${id}`, domain, domains });
  const person = (id: number, primary: string | null, emails: string[]) =>
    entityRecordSchema.parse({ id, primaryEmailAddress: primary, emailAddresses: emails });

  it('a company answers to every domain, a person to every address, normalized', () => {
    expect(keysOf('company', company(1, 'WWW.Acme.com', ['acme.com', 'acme.io', 'not a domain']))).toEqual(
      new Set(['acme.com', 'acme.io']),
    );
    expect(keysOf('person', person(2, 'Jane@Acme.com', ['jane@gmail.com']))).toEqual(
      new Set(['jane@acme.com', 'jane@gmail.com']),
    );
    expect(keysOf('person', person(3, null, []))).toEqual(new Set());
    expect(entityKey('company', 'https://Acme.com/about')).toBe('acme.com');
    expect(entityKey('person', 'JANE@acme.com ')).toBe('jane@acme.com');
  });

  it('keeps exact matches only, each id once, ascending', () => {
    const records = [
      company(9, 'acmerobotics.com', ['acmerobotics.com']),
      company(5, 'acme.com', ['acme.com']),
      company(2, 'acme.io', ['acme.io', 'acme.com']),
      company(5, 'acme.com', ['acme.com']),
    ];
    expect(exactIds('company', 'acme.com', records)).toEqual([2, 5]);
    expect(exactIds('company', 'acme', records)).toEqual([]);
    const persons = [person(1, 'jane@acme.com', []), person(2, 'janet@acme.com', ['JANE@acme.com'])];
    expect(exactIds('person', 'jane@acme.com', persons)).toEqual([1, 2]);
  });
});
