import type { SimField, SimValueType } from './field-model.js';
import { badParam, notFound, positiveInt, type Route } from './router.js';

// v1 numeric value types (Affinity API v1 reference).
function v1ValueType(valueType: SimValueType): number {
  switch (valueType) {
    case 'person':
    case 'person-multi':
      return 0;
    case 'company':
    case 'company-multi':
      return 1;
    case 'dropdown':
    case 'dropdown-multi':
      return 2;
    case 'number':
    case 'number-multi':
    case 'formula-number':
      return 3;
    case 'datetime':
      return 4;
    case 'location':
    case 'location-multi':
      return 5;
    case 'text':
    case 'interaction':
      return 6;
    case 'ranked-dropdown':
      return 7;
    case 'filterable-text':
    case 'filterable-text-multi':
      return 10;
    default: {
      const never: never = valueType;
      return never;
    }
  }
}

/** v1 ids are the number in the v2 id "field-1234"; other v2 fields have no v1 id. */
export function v1FieldId(v2Id: string): number | null {
  const match = /^field-(\d+)$/.exec(v2Id);
  return match ? Number(match[1]) : null;
}

function renderV1Field(field: SimField, listId: number | null, id: number): Record<string, unknown> {
  return {
    id,
    name: field.name,
    list_id: listId,
    enrichment_source: field.enrichmentSource ?? 'none',
    value_type: v1ValueType(field.valueType),
    allows_multiple: field.valueType.endsWith('-multi'),
    track_changes: field.trackChanges,
    dropdown_options: field.dropdownOptions.map((o, i) => ({
      id: o.id,
      text: o.text,
      rank: o.rank ?? i,
      color: o.color ?? 0,
    })),
  };
}

export const v1Routes: Route[] = [
  {
    method: 'GET',
    template: '/fields',
    handle(ctx) {
      const listIdText = ctx.query.get('list_id');
      const out: unknown[] = [];
      if (listIdText !== null) {
        // With list_id: that list's own fields (v1 semantics); without: global fields.
        const listId = positiveInt(listIdText);
        if (listId === null)
          return badParam('list_id', `list_id must be a positive integer; got "${listIdText}"`);
        const list = ctx.state.lists.get(listId);
        if (!list) return notFound(`List ${listIdText} not found`);
        for (const field of list.fields) {
          const id = v1FieldId(field.id);
          if (id !== null && field.type === 'list') out.push(renderV1Field(field, list.id, id));
        }
      } else {
        const seen = new Set<number>();
        const own = { fields: [...ctx.state.ownFields.company, ...ctx.state.ownFields.person] };
        for (const list of [own, ...ctx.state.lists.values()]) {
          for (const field of list.fields) {
            const id = v1FieldId(field.id);
            if (id !== null && field.type === 'global' && !seen.has(id)) {
              seen.add(id);
              out.push(renderV1Field(field, null, id));
            }
          }
        }
      }
      return { status: 200, body: out };
    },
  },
];
