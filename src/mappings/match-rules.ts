// Which match rules apply where (pure): a list's entries by its type, or companies' / persons' own
// fields. The offline check knows a target's rules; the list's type is known only to --remote.

export const matchKinds = ['entityId', 'listEntryId', 'domain', 'email'] as const;
export type MatchKind = (typeof matchKinds)[number];

export const entityTargets = ['companies', 'persons'] as const;
export type EntityTarget = (typeof entityTargets)[number];

export const listTypes = ['company', 'person', 'opportunity'] as const;
export type ListType = (typeof listTypes)[number];

/** Whether Affinity's list `type` (text, as the client reads it leniently) is one this version knows. */
export function isListType(type: string): type is ListType {
  return (listTypes as readonly string[]).includes(type);
}

/** Where a mapping's rows are matched: a target, or a list of a known type. */
export type MatchScope = { target: EntityTarget } | { list: { id: number; name: string; type: ListType } };

const targetRules: Record<EntityTarget, readonly MatchKind[]> = {
  companies: ['entityId', 'domain'],
  persons: ['entityId', 'email'],
};

const listRules: Record<ListType, readonly MatchKind[]> = {
  company: ['entityId', 'listEntryId', 'domain'],
  person: ['entityId', 'listEntryId', 'email'],
  opportunity: ['entityId', 'listEntryId'],
};

/** The rules a scope takes, in the order the reference lists them. */
export function rulesFor(scope: MatchScope): readonly MatchKind[] {
  return 'target' in scope ? targetRules[scope.target] : listRules[scope.list.type];
}

function either(kinds: readonly MatchKind[]): string {
  return kinds.length <= 2 ? kinds.join(' or ') : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
}

/** Why `by` cannot match in this scope, or null when it can. */
export function matchRuleProblem(scope: MatchScope, by: MatchKind): string | null {
  const allowed = rulesFor(scope);
  if (allowed.includes(by)) return null;
  if ('target' in scope) {
    const why = by === 'listEntryId' ? ` (${scope.target} have no list entries)` : '';
    return `${by} does not apply to target: ${scope.target}${why}; it matches by ${either(allowed)}`;
  }
  const { id, name, type } = scope.list;
  return `${by} does not apply to ${type} lists: list ${id} ("${name}") is ${type === 'opportunity' ? 'an' : 'a'} ${type} list, matched by ${either(allowed)}`;
}
