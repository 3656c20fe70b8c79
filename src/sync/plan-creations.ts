import type { CreateSettings } from '../mappings/create-settings.js';
import type { Row } from '../sources/source.js';
import type { CreateBudget } from './create-budget.js';
import type { LookupResult } from './entity-lookup.js';
import type { MatchRule } from './match-row.js';
import type { Problem } from './problem.js';
import { type AddKey, addKeyOf, decideUnmatched, type KeyResolution } from './unmatched-row.js';

/** A row no list entry matched, held back while `onUnmatched: add` decides about it. */
export interface HeldRow {
  row: Row;
  rowNumber: number;
  /** The `unmatched` problem it is reported with when nothing is added for it. */
  problem: Problem;
}

/** One entity to place on the list: every row naming it, the last one's values written. */
export interface CreationGroup {
  /** add: an existing entity; create-company: a new company, then its entry; on-list: already there. */
  kind: 'add' | 'create-company' | 'on-list';
  /** The row key that named it (e.g. "domain=nimbus.io"). */
  key: string;
  entityId?: number;
  domain?: string;
  name?: string;
  /** In row order; the last one's values are written. */
  rows: HeldRow[];
}

export interface CreationPlan {
  /** Within maxCreates (and on-list groups, which create nothing), in first-row order. */
  groups: CreationGroup[];
  /** Past maxCreates: nothing is created for them this run. */
  left: CreationGroup[];
  /** Rows neither placed nor left, with why (update-only, no key, a refusal). */
  refused: Array<{ held: HeldRow; problem: Problem; ambiguous: boolean }>;
}

/** What the held rows' keys resolved to: domains to companies, e-mail addresses to persons. */
export interface Resolved {
  company: ReadonlyMap<string, LookupResult>;
  person: ReadonlyMap<string, LookupResult>;
}

/** The domains and e-mail addresses among held rows that need a lookup (normalized, each once). */
export function keysToResolve(
  held: readonly HeldRow[],
  rules: readonly MatchRule[],
): { company: string[]; person: string[] } {
  const domains = new Set<string>();
  const emails = new Set<string>();
  for (const { row } of held) {
    const key = addKeyOf(row, rules);
    if (key?.by === 'domain') domains.add(key.domain);
    else if (key?.by === 'email') emails.add(key.email);
  }
  return { company: [...domains], person: [...emails] };
}

function lookedUp(key: AddKey | null, resolved: Resolved): LookupResult | undefined {
  if (key?.by === 'domain') return resolved.company.get(key.domain);
  if (key?.by === 'email') return resolved.person.get(key.email);
  return undefined;
}

/**
 * Decides every held row (pure): groups rows naming the same entity (or the same unknown domain),
 * so each is added or created once, and grants maxCreates to groups in first-row order. `resolved`
 * holds the lookup answer of each key from `keysToResolve`.
 */
export function planCreations(
  held: readonly HeldRow[],
  input: {
    settings: CreateSettings;
    rules: readonly MatchRule[];
    resolved: Resolved;
    onList: (entityId: number) => boolean;
    budget: CreateBudget;
  },
): CreationPlan {
  const { settings } = input;
  const byKey = new Map<string, CreationGroup>();
  const refused: CreationPlan['refused'] = [];
  for (const item of held) {
    const key = addKeyOf(item.row, input.rules);
    const decision = decideUnmatched({
      onUnmatched: settings.onUnmatched,
      onUnknownCompany: settings.onUnknownCompany,
      key,
      ...(key !== null && key.by !== 'entityId'
        ? { resolution: resolutionOf(lookedUp(key, input.resolved)) }
        : {}),
      onList: input.onList,
      ...(settings.companyName === undefined ? {} : { name: item.row[settings.companyName] }),
    });
    switch (decision.kind) {
      case 'report':
        refused.push({ held: item, problem: item.problem, ambiguous: false });
        break;
      case 'refuse': {
        const looked = lookedUp(key, input.resolved)?.kind;
        const ambiguous = looked === 'ambiguous';
        // A lookup that failed is a failure of this run (partial), not a verdict on the row.
        const code = ambiguous ? 'ambiguous' : looked === 'failed' ? 'create-failed' : 'unmatched';
        refused.push({ held: item, problem: refusal(item, key, decision.reason, code), ambiguous });
        break;
      }
      case 'add':
      case 'on-list':
        group(byKey, `entity:${decision.entityId}`, item, key, {
          kind: decision.kind,
          entityId: decision.entityId,
        });
        break;
      case 'create-company':
        group(byKey, `domain:${decision.domain}`, item, key, {
          kind: 'create-company',
          domain: decision.domain,
          name: decision.name,
        });
        break;
      default: {
        const never: never = decision;
        throw new Error(`unexpected decision ${JSON.stringify(never)}`);
      }
    }
  }
  const groups: CreationGroup[] = [];
  const left: CreationGroup[] = [];
  for (const [budgetKey, g] of byKey) {
    if (g.kind === 'on-list' || input.budget.take(budgetKey) !== 'exhausted') groups.push(g);
    else left.push(g);
  }
  return { groups, left, refused };
}

function group(
  byKey: Map<string, CreationGroup>,
  budgetKey: string,
  item: HeldRow,
  key: AddKey | null,
  what: Pick<CreationGroup, 'kind' | 'entityId' | 'domain' | 'name'>,
): void {
  const existing = byKey.get(budgetKey);
  if (existing !== undefined) {
    existing.rows.push(item);
    return;
  }
  byKey.set(budgetKey, { ...what, key: key?.key ?? '', rows: [item] });
}

function resolutionOf(result: LookupResult | undefined): KeyResolution {
  if (result === undefined) return { kind: 'failed', reason: 'the key was not looked up' };
  switch (result.kind) {
    case 'found':
      return { kind: 'one', entityId: result.id };
    case 'missing':
      return { kind: 'none' };
    case 'ambiguous':
      return { kind: 'several', entityIds: result.ids };
    case 'failed':
      return { kind: 'failed', reason: result.reason };
    default: {
      const never: never = result;
      throw new Error(`unexpected lookup result ${JSON.stringify(never)}`);
    }
  }
}

// The row stays unmatched (or ambiguous: several companies have its domain), with why nothing was added.
function refusal(item: HeldRow, key: AddKey | null, reason: string, code: Problem['code']): Problem {
  return { code, row: item.rowNumber, ...(key === null ? {} : { key: key.key }), reason };
}
