import type { OnUnknownCompany, OnUnmatched } from '../mappings/create-settings.js';
import type { Row, SourceValue } from '../sources/source.js';
import { normalizeDomain } from './domain.js';
import { normalizeEmail } from './email.js';
import { idOf, type MatchRule } from './match-row.js';
import { showValue } from './show-value.js';

/** The entity an unmatched row names: by id, or by a domain (company) or e-mail (person) still to resolve. */
export type AddKey =
  | { by: 'entityId'; entityId: number; key: string }
  | { by: 'domain'; domain: string; key: string }
  | { by: 'email'; email: string; key: string };

/** What a domain or e-mail address resolved to (the entity lookup's answer). */
export type KeyResolution =
  | { kind: 'one'; entityId: number }
  | { kind: 'none' }
  | { kind: 'several'; entityIds: number[] }
  | { kind: 'failed'; reason: string };

/** What to do with a row no list entry matched. */
export type UnmatchedDecision =
  /** Keep the `unmatched` problem (update-only, or no key naming an entity). */
  | { kind: 'report' }
  /** The entity is already on the list (under a key the read did not show): write there. */
  | { kind: 'on-list'; entityId: number }
  /** Add this existing entity to the list. */
  | { kind: 'add'; entityId: number }
  /** Create the company, then add it. */
  | { kind: 'create-company'; domain: string; name: string }
  /** Neither added nor created, and why (a problem of the row). */
  | { kind: 'refuse'; reason: string };

/**
 * The first rule, in order, whose column holds a usable entity key (an id, a domain or an e-mail
 * address); list entry ids name entries, not entities, so they never add. Pure.
 */
export function addKeyOf(row: Row, rules: readonly MatchRule[]): AddKey | null {
  for (const rule of rules) {
    const raw = row[rule.column];
    if (raw === null || raw === undefined) continue;
    const key = keyOf(rule, raw);
    if (key !== null) return key;
  }
  return null;
}

function keyOf(rule: MatchRule, raw: SourceValue): AddKey | null {
  switch (rule.by) {
    case 'entityId': {
      const id = idOf(raw);
      return id === null ? null : { by: 'entityId', entityId: id, key: `${rule.column}=${id}` };
    }
    case 'domain': {
      const domain = typeof raw === 'string' ? normalizeDomain(raw) : null;
      return domain === null ? null : { by: 'domain', domain, key: `${rule.column}=${domain}` };
    }
    case 'email': {
      const email = typeof raw === 'string' ? normalizeEmail(raw) : null;
      return email === null ? null : { by: 'email', email, key: `${rule.column}=${email}` };
    }
    case 'listEntryId':
      return null;
    default: {
      const never: never = rule.by;
      throw new Error(`unknown match rule ${String(never)}`);
    }
  }
}

export interface UnmatchedInput {
  onUnmatched: OnUnmatched;
  onUnknownCompany: OnUnknownCompany;
  key: AddKey | null;
  /** For a domain or e-mail key: what it resolved to. */
  resolution?: KeyResolution;
  /** Whether the resolved entity is already on the list. */
  onList?: (entityId: number) => boolean;
  /** The row's companyName value, for a company to create. */
  name?: SourceValue;
}

/** Decides an unmatched row (pure): report it, write to the entry a lookup found, add, create, or refuse. */
export function decideUnmatched(input: UnmatchedInput): UnmatchedDecision {
  const { key } = input;
  if (input.onUnmatched === 'report' || key === null) return { kind: 'report' };
  if (key.by === 'entityId') return placeEntity(input, key.entityId);
  const what = key.by === 'domain' ? `the domain ${key.domain}` : `the e-mail address ${key.email}`;
  const resolution = input.resolution;
  if (resolution === undefined) throw new Error(`${what} was not resolved before deciding`);
  const owners = key.by === 'domain' ? 'companies' : 'persons';
  switch (resolution.kind) {
    case 'one':
      return placeEntity(input, resolution.entityId);
    case 'several':
      return {
        kind: 'refuse',
        reason: `not added: ${resolution.entityIds.length} ${owners} have ${what} (${resolution.entityIds.join(', ')}); match by entity id instead`,
      };
    case 'failed':
      return { kind: 'refuse', reason: `not added: looking up ${what} failed: ${resolution.reason}` };
    case 'none':
      if (key.by === 'email')
        return { kind: 'refuse', reason: `not added: no person has ${what} (persons are never created)` };
      return unknownCompany(input, key.domain);
    default: {
      const never: never = resolution;
      throw new Error(`unknown resolution ${JSON.stringify(never)}`);
    }
  }
}

// An entity already on the list (under a key the read did not show) is written there, never added again.
function placeEntity(input: UnmatchedInput, entityId: number): UnmatchedDecision {
  return input.onList?.(entityId) ? { kind: 'on-list', entityId } : { kind: 'add', entityId };
}

function unknownCompany(input: UnmatchedInput, domain: string): UnmatchedDecision {
  if (input.onUnknownCompany === 'report') {
    return {
      kind: 'refuse',
      reason: `not added: no company has the domain ${domain} (onUnknownCompany: create would make it)`,
    };
  }
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
