import type { IncrementalMeta } from './incremental-state.js';

/** Why a mapping with `sync: incremental` reads the whole list this time and rebuilds its state. */
export type ReconcileReason =
  | 'full-requested'
  | 'overwrite-mode'
  | 'first-run'
  | 'list-changed'
  | 'fields-changed'
  | 'untracked-fields'
  | 'tracking-was-off'
  | 'user-changed'
  | 'state-expired'
  | 'cheaper-to-scan';

export type RunKind =
  /** A full scan that keeps no state: `sync: live`, or incremental without a durable store. */
  | { kind: 'live'; reason: 'mapping-live' | 'no-durable-state' }
  /** A full scan that rebuilds the state. */
  | { kind: 'reconcile'; reason: ReconcileReason; detail: string }
  /** State plus the change feed. */
  | { kind: 'incremental' };

export interface RunKindInput {
  sync: 'live' | 'incremental';
  /** `run --full`. */
  full: boolean;
  mode: 'diff' | 'overwrite';
  /** The state store outlives the process (Redis). */
  durable: boolean;
  meta: IncrementalMeta | undefined;
  /** Epoch ms. */
  now: number;
  reconcileEveryMs: number;
  listId: number;
  fieldsHash: string;
  /** Mapped field ids, and those whose change tracking is off (or unknown) now. */
  fieldIds: readonly string[];
  untracked: readonly string[];
  userId: number;
}

/**
 * Reconcile or incremental (pure). Incremental only when the kept state describes this list and
 * these fields, every mapped field tracks changes now and did when the watermark was set, the key's
 * user is the same, and the last reconcile is younger than `reconcileEvery`.
 */
export function chooseRunKind(input: RunKindInput): RunKind {
  if (input.sync === 'live') return { kind: 'live', reason: 'mapping-live' };
  if (!input.durable) return { kind: 'live', reason: 'no-durable-state' };
  const reconcile = (reason: ReconcileReason, detail: string): RunKind => ({
    kind: 'reconcile',
    reason,
    detail,
  });
  if (input.full) return reconcile('full-requested', 'run --full');
  if (input.mode === 'overwrite') {
    return reconcile('overwrite-mode', 'overwrite mode writes every value, so it reads the whole list');
  }
  const { meta } = input;
  if (meta === undefined) return reconcile('first-run', 'no kept state yet (or it was unreadable)');
  if (meta.listId !== input.listId) return reconcile('list-changed', `the list changed from ${meta.listId}`);
  if (meta.fieldsHash !== input.fieldsHash) {
    return reconcile('fields-changed', 'the mapped fields changed since the state was built');
  }
  if (input.untracked.length > 0) {
    return reconcile(
      'untracked-fields',
      `change tracking is off for ${input.untracked.join(', ')}; the feed cannot show edits to them`,
    );
  }
  const wasOff = input.fieldIds.filter((id) => !meta.tracked.includes(id));
  if (wasOff.length > 0) {
    return reconcile(
      'tracking-was-off',
      `change tracking was off for ${wasOff.join(', ')} when the state was built; edits made before it was turned on are not in the feed`,
    );
  }
  if (meta.userId !== input.userId) {
    return reconcile('user-changed', `the API key now belongs to user ${input.userId}, not ${meta.userId}`);
  }
  const age = input.now - Date.parse(meta.reconciledAt);
  if (!(age < input.reconcileEveryMs)) {
    return reconcile('state-expired', `the last reconcile was at ${meta.reconciledAt}`);
  }
  return { kind: 'incremental' };
}
