import type { OnUnknownCompany, OnUnmatched } from '../mappings/create-settings.js';
import type { Row, SourceValue } from '../sources/source.js';
import { normalizeDomain } from './domain.js';
import { idOf, type MatchRule } from './match-row.js';
import { showValue } from './show-value.js';

/** The entity an unmatched row names: by id, or by a domain still to resolve. */
export type AddKey =
  | { by: 'entityId'; entityId: number; key: string }
  | { by: 'domain'; domain: string; key: string };

/** What a domain resolved to (the entity lookup's answer). */
export type DomainResolution =
  | { kind: 'one'; entityId: number }
  | { kind: 'none' }
  | { kind: 'several'; entityIds: number[] }
  | { kind: 'failed'; reason: string };

/** What to do with a row no list entry matched. */
export type UnmatchedDecision =
  /** Keep the `unmatched` problem (update-only, or no key naming an entity). */
  | { kind: 'report' }
  /** The domain is an entity already on the list (under a domain the scan did not show): write there. */
  | { kind: 'on-list'; entityId: number }
  /** Add this existing entity to the list. */
  | { kind: 'add'; entityId: number }
  /** Create the company, then add it. */
  | { kind: 'create-company'; domain: string; name: string }
  /** Neither added nor created, and why (a problem of the row). */
  | { kind: 'refuse'; reason: string };

/**
 * The first rule, in order, whose column holds a usable entity key (an id or a domain); list entry
 * ids name entries, not entities, so they never add. Pure.
 */
export function addKeyOf(row: Row, rules: readonly MatchRule[]): AddKey | null {
  for (const rule of rules) {
    const raw = row[rule.column];
    if (raw === null || raw === undefined) continue;
    switch (rule.by) {
      case 'entityId': {
        const id = idOf(raw);
        if (id !== null) return { by: 'entityId', entityId: id, key: `${rule.column}=${id}` };
        break;
      }
      case 'domain': {
        const domain = typeof raw === 'string' ? normalizeDomain(raw) : null;
        if (domain !== null) return { by: 'domain', domain, key: `${rule.column}=${domain}` };
        break;
      }
      case 'listEntryId':
        break;
      default: {
        const never: never = rule.by;
        throw new Error(`unknown match rule ${String(never)}`);
      }
    }
  }
  return null;
}

export interface UnmatchedInput {
  onUnmatched: OnUnmatched;
  onUnknownCompany: OnUnknownCompany;
  key: AddKey | null;
  /** For a domain key: what it resolved to. */
  resolution?: DomainResolution;
  /** Whether the resolved entity is already on the list. */
  onList?: (entityId: number) => boolean;
  /** The row's companyName value, for a company to create. */
  name?: SourceValue;
}

/** Decides an unmatched row (pure): report it, write to the entry a lookup found, add, create, or refuse. */
export function decideUnmatched(input: UnmatchedInput): UnmatchedDecision {
  const { key } = input;
  if (input.onUnmatched === 'report' || key === null) return { kind: 'report' };
  if (key.by === 'entityId') {
    return input.onList?.(key.entityId)
      ? { kind: 'on-list', entityId: key.entityId }
      : { kind: 'add', entityId: key.entityId };
  }
  const resolution = input.resolution;
  if (resolution === undefined) throw new Error(`domain ${key.domain} was not resolved before deciding`);
  switch (resolution.kind) {
    case 'one':
      return input.onList?.(resolution.entityId)
        ? { kind: 'on-list', entityId: resolution.entityId }
        : { kind: 'add', entityId: resolution.entityId };
    case 'several':
      return {
        kind: 'refuse',
        reason: `not added: ${resolution.entityIds.length} companies have the domain ${key.domain} (${resolution.entityIds.join(', ')}); match by entity id instead`,
      };
    case 'failed':
      return {
        kind: 'refuse',
        reason: `not added: looking up the domain ${key.domain} failed: ${resolution.reason}`,
      };
    case 'none':
      return unknownCompany(input, key.domain);
    default: {
      const never: never = resolution;
      throw new Error(`unknown resolution ${JSON.stringify(never)}`);
    }
  }
}

function unknownCompany(input: UnmatchedInput, domain: string): UnmatchedDecision {
  if (input.onUnknownCompany === 'report')
    return {
      kind: 'refuse',
      reason: `not added: no company has the domain ${domain} (onUnknownCompany: create would make it)`,
    };
  const raw = input.name;
  const name =
    typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint' ? String(raw).trim() : '';
  if (name === '') {
    const found = raw === null || raw === undefined ? 'it is empty' : `${showValue(raw)} is not a name`;
    return {
      kind: 'refuse',
      reason: `not created: no company has the domain ${domain}, and the companyName column gives no name (${found})`,
    };
  }
  return { kind: 'create-company', domain, name };
}
