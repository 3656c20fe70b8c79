import { describe, expect, it } from 'vitest';
import { missingColumns } from '../../src/sources/missing-columns.js';
import { redactUrl } from '../../src/sources/redact-url.js';
import type { ColumnInfo } from '../../src/sources/source.js';

const columns: ColumnInfo[] = [
  { name: 'company_id', kind: 'number', nativeType: 'int8' },
  { name: 'ARR', kind: 'number', nativeType: 'NUMBER(38,2)' },
];

describe('missingColumns', () => {
  it('returns the required names absent from the result, in order', () => {
    expect(missingColumns(columns, ['health', 'company_id', 'domain'])).toEqual(['health', 'domain']);
  });

  it('matches names exactly, because rows are keyed by the exact column name', () => {
    expect(missingColumns(columns, ['ARR', 'arr'])).toEqual(['arr']);
  });

  it('returns nothing when every column is present', () => {
    expect(missingColumns(columns, ['company_id', 'ARR'])).toEqual([]);
  });
});

describe('redactUrl', () => {
  it('drops user, password and query string', () => {
    expect(redactUrl('postgres://bob:s3cret@db.example.com:5432/warehouse?sslpassword=x')).toBe(
      'postgres://db.example.com:5432/warehouse',
    );
  });

  it('says so when the text is not a URL', () => {
    expect(redactUrl('bob:s3cret@nowhere')).toBe('(invalid URL)');
  });
});
