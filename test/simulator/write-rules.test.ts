import { describe, expect, it } from 'vitest';
import { writability } from '../../src/affinity/value-type.js';
import { simFieldKinds, simValueTypes } from '../../src/simulator/field-model.js';
import { refusalReason } from '../../src/simulator/write-rules.js';

// The simulator's table of what Affinity refuses to write is its own (from API-NOTES), so the client
// is tested against an independent oracle; here the two are compared, never shared.

describe('simulator write rules', () => {
  it('refuses enriched, relationship-intelligence, hidden, formula and interaction fields', () => {
    expect(refusalReason({ type: 'list', valueType: 'number' })).toBeNull();
    expect(refusalReason({ type: 'global', valueType: 'dropdown-multi' })).toBeNull();
    expect(refusalReason({ type: 'enriched', valueType: 'text' })).toMatch(/^enriched fields/);
    expect(refusalReason({ type: 'relationship-intelligence', valueType: 'interaction' })).toMatch(
      /^relationship-intelligence fields/,
    );
    expect(refusalReason({ type: 'hidden', valueType: 'text' })).toMatch(/hidden from this API key/);
    expect(refusalReason({ type: 'list', valueType: 'formula-number' })).toMatch(/^formula fields/);
    expect(refusalReason({ type: 'list', valueType: 'interaction' })).toMatch(/^interaction fields/);
  });

  it('agrees with the client on every kind and value type', () => {
    for (const type of simFieldKinds) {
      for (const valueType of simValueTypes) {
        const client = writability(type, valueType).kind === 'writable';
        expect({ type, valueType, writable: refusalReason({ type, valueType }) === null }).toEqual({
          type,
          valueType,
          writable: client,
        });
      }
    }
  });
});
