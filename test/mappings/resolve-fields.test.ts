import { describe, expect, it } from 'vitest';
import type { FieldMetadata } from '../../src/affinity/schemas.js';
import { valueTypes } from '../../src/affinity/value-type.js';
import { columnCanConvert } from '../../src/mappings/column-compatibility.js';
import { type Mapping, mappingSchema } from '../../src/mappings/mapping-schema.js';
import { resolveFields } from '../../src/mappings/resolve-fields.js';

const listFields: FieldMetadata[] = [
  { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number', enrichmentSource: null },
  { id: 'field-2', name: 'Stage', type: 'list', valueType: 'ranked-dropdown', enrichmentSource: null },
  { id: 'field-3', name: 'Status', type: 'list', valueType: 'dropdown', enrichmentSource: null },
  { id: 'field-4', name: 'status ', type: 'global', valueType: 'text', enrichmentSource: null },
  {
    id: 'affinity-data-description',
    name: 'Description',
    type: 'enriched',
    valueType: 'text',
    enrichmentSource: 'affinity-data',
  },
  { id: 'field-5', name: 'Score', type: 'list', valueType: 'formula-number', enrichmentSource: null },
  {
    id: 'last-email',
    name: 'Last Email',
    type: 'relationship-intelligence',
    valueType: 'interaction',
    enrichmentSource: null,
  },
  { id: 'field-6', name: 'Last Funding Date', type: 'list', valueType: 'datetime', enrichmentSource: null },
];

function mapping(fields: Record<string, string | { field: string; onNull?: 'skip' | 'clear' }>): Mapping {
  return mappingSchema.parse({
    name: 'test',
    source: { type: 'duckdb', query: 'select 1' },
    list: 42,
    match: [{ column: 'id', by: 'entityId' }],
    fields,
  });
}

describe('resolveFields', () => {
  it('resolves by id and by name, case-insensitive and trimmed', () => {
    const result = resolveFields(
      mapping({ arr: 'field-1', stage: '  stage ', funded: { field: 'LAST FUNDING DATE', onNull: 'clear' } }),
      listFields,
    );
    expect(result).toEqual({
      problems: [],
      skipped: [],
      fields: [
        { column: 'arr', fieldId: 'field-1', fieldName: 'ARR', valueType: 'number', onNull: 'skip' },
        {
          column: 'stage',
          fieldId: 'field-2',
          fieldName: 'Stage',
          valueType: 'ranked-dropdown',
          onNull: 'skip',
        },
        {
          column: 'funded',
          fieldId: 'field-6',
          fieldName: 'Last Funding Date',
          valueType: 'datetime',
          onNull: 'clear',
        },
      ],
    });
  });

  it('asks for the id when two fields share a name', () => {
    expect(resolveFields(mapping({ status: 'Status' }), listFields).problems).toEqual([
      {
        path: 'fields.status',
        message: '"Status" names 2 fields on list 42 (field-3, field-4); write the field id instead',
      },
    ]);
  });

  it('lists close names for an unknown name, and says so for an unknown id', () => {
    expect(resolveFields(mapping({ a: 'Stagee', b: 'field-99', c: 'Revenue' }), listFields).problems).toEqual(
      [
        { path: 'fields.a', message: 'list 42 has no field named "Stagee"; close: "Stage" (field-2)' },
        {
          path: 'fields.b',
          message:
            'list 42 has no field with id "field-99"; its fields: "ARR" (field-1), "Stage" (field-2), "Status" (field-3), "status " (field-4), "Description" (affinity-data-description), "Score" (field-5), "Last Email" (last-email), "Last Funding Date" (field-6)',
        },
        {
          path: 'fields.c',
          message:
            'list 42 has no field named "Revenue"; its fields: "ARR" (field-1), "Stage" (field-2), "Status" (field-3), "status " (field-4), "Description" (affinity-data-description), "Score" (field-5), "Last Email" (last-email), "Last Funding Date" (field-6)',
        },
      ],
    );
  });

  it('refuses read-only fields, saying why', () => {
    expect(
      resolveFields(mapping({ d: 'Description', s: 'field-5', e: 'last-email' }), listFields).problems,
    ).toEqual([
      {
        path: 'fields.d',
        message:
          'affinity-data-description ("Description") cannot be written: enriched fields are maintained by Affinity and cannot be written',
      },
      {
        path: 'fields.s',
        message: 'field-5 ("Score") cannot be written: formula fields are computed and cannot be written',
      },
      {
        path: 'fields.e',
        message:
          'last-email ("Last Email") cannot be written: relationship-intelligence fields are computed by Affinity and cannot be written',
      },
    ]);
  });

  it('skips a hidden field and fields of a type or valueType it does not know, without a problem', () => {
    const future: FieldMetadata[] = [
      ...listFields,
      { id: 'field-7', name: 'Deal Terms', type: 'hidden', valueType: 'text', enrichmentSource: null },
      { id: 'field-8', name: 'Score 2', type: 'computed-by-ai', valueType: 'number', enrichmentSource: null },
      { id: 'field-9', name: 'Rating', type: 'list', valueType: 'star-rating', enrichmentSource: null },
    ];
    const result = resolveFields(
      mapping({ terms: 'Deal Terms', score: 'field-8', rating: 'Rating', arr: 'ARR' }),
      future,
    );
    expect(result.problems).toEqual([]);
    expect(result.fields.map((f) => f.column)).toEqual(['arr']);
    expect(result.skipped).toEqual([
      {
        column: 'terms',
        path: 'fields.terms',
        fieldId: 'field-7',
        fieldName: 'Deal Terms',
        message:
          'field-7 ("Deal Terms") is skipped (never written): Affinity reports its type as "hidden" (a restricted field this API key cannot manage; its value is masked); ' +
          "give the API key's user access to it, or remove it from the mapping",
      },
      {
        column: 'score',
        path: 'fields.score',
        fieldId: 'field-8',
        fieldName: 'Score 2',
        message:
          'field-8 ("Score 2") is skipped (never written): its type "computed-by-ai" is not one affinity-sync knows (enriched, global, list, relationship-intelligence); a newer affinity-sync may write it; until then remove it from the mapping',
      },
      {
        column: 'rating',
        path: 'fields.rating',
        fieldId: 'field-9',
        fieldName: 'Rating',
        message:
          'field-9 ("Rating") is skipped (never written): its valueType "star-rating" is not one affinity-sync can convert to; a newer affinity-sync may write it; until then remove it from the mapping',
      },
    ]);
  });

  it('refuses two columns feeding one field', () => {
    expect(resolveFields(mapping({ arr: 'ARR', 'arr 2': 'field-1' }), listFields).problems).toEqual([
      {
        path: 'fields["arr 2"]',
        message: 'field-1 ("ARR") is already fed by column "arr"; map each field from one column',
      },
    ]);
  });
});

describe('columnCanConvert', () => {
  it('matches what the converter takes', () => {
    expect(columnCanConvert('number', 'number')).toBe(true);
    expect(columnCanConvert('text', 'number')).toBe('maybe');
    expect(columnCanConvert('boolean', 'number')).toBe(false);
    expect(columnCanConvert('date', 'datetime')).toBe(true);
    expect(columnCanConvert('number', 'datetime')).toBe(false);
    expect(columnCanConvert('text', 'dropdown')).toBe(true);
    expect(columnCanConvert('array', 'dropdown-multi')).toBe(true);
    expect(columnCanConvert('json', 'location')).toBe(true);
    expect(columnCanConvert('array', 'text')).toBe(false);
    expect(columnCanConvert('number', 'company')).toBe(true);
  });

  it('never allows a computed field and says maybe for an unknown column kind', () => {
    for (const valueType of valueTypes) {
      const computed = valueType === 'formula-number' || valueType === 'interaction';
      expect(columnCanConvert('unknown', valueType)).toBe(computed ? false : 'maybe');
      if (computed) expect(columnCanConvert('number', valueType)).toBe(false);
    }
  });
});
