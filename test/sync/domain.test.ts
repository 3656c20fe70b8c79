import { describe, expect, it } from 'vitest';
import { normalizeDomain } from '../../src/sync/domain.js';

describe('normalizeDomain', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['  ACME.Com  ', 'acme.com'],
    ['https://www.acme.com', 'acme.com'],
    ['HTTPS://WWW.ACME.COM/About?x=1#team', 'acme.com'],
    ['http://acme.com:8080/path', 'acme.com'],
    ['acme.com:443', 'acme.com'],
    ['acme.com.', 'acme.com'],
    ['acme.com..', 'acme.com'],
    ['www.acme.com.', 'acme.com'],
    ['acme.com?utm_source=x', 'acme.com'],
    ['acme.com#contact', 'acme.com'],
    ['acme.com/', 'acme.com'],
    ['//acme.com/x', 'acme.com'],
    ['ftp://files.acme.co.uk', 'files.acme.co.uk'],
    ['https://user:secret@acme.com/', 'acme.com'],
    ['alex@acme.com', 'acme.com'],
    ['mailto:Alex@Acme.com', 'acme.com'],
    ['www.www.acme.com', 'acme.com'],
    ['www.com', 'www.com'],
    ['www2.acme.com', 'www2.acme.com'],
    ['app.acme.io', 'app.acme.io'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['https://www.Bücher.de/shop', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['ｗｗｗ．ａｃｍｅ．ｃｏｍ', 'acme.com'],
    ['my-company.com', 'my-company.com'],
    ['3m.com', '3m.com'],
    ['acme.com\\path', 'acme.com'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'acme',
    'localhost',
    'not a domain',
    'acme .com',
    'https://',
    'mailto:',
    '.acme.com',
    'acme..com',
    '-acme.com',
    'acme-.com',
    'acme_corp.com',
    'acme.com:abc',
    '192.168.0.1',
    'http://10.0.0.1:8080/',
    '[::1]',
    'http://[2001:db8::1]/',
    'ac%41me.com',
    'N/A',
    '-',
    'xn--zz.com',
    `${'a'.repeat(64)}.com`,
  ])('%j is not a domain', (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });

  it('keeps a 63-character label and a 253-character name', () => {
    const label = 'a'.repeat(63);
    expect(normalizeDomain(`${label}.com`)).toBe(`${label}.com`);
    const name = `${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(61)}.${'d'.repeat(61)}.com`;
    expect(name).toHaveLength(253);
    expect(normalizeDomain(name)).toBe(name);
    expect(normalizeDomain(`a${name}`)).toBeNull();
  });
});
