import { z } from 'zod';
import { expected } from './describe-input.js';
import { durationMs } from './duration.js';

// How a list mapping reads current values: `sync` and `reconcileEvery` (spread into
// mapping-schema.ts), their defaults and the combinations refused. Absent keys mean live, so a
// mapping that does not opt in normalizes exactly as before.

/** The longest time between two reconciles of an incremental mapping when it does not say. */
export const defaultReconcileEvery = '7d';

const durationText = 'a duration like "7d" (a whole number of m, h, d or w)';

/** The top-level keys; each optional (live when absent). */
export const syncSettingsShape = {
  /** live: scan the whole list every run; incremental: kept state plus Affinity's change feed (README "Incremental sync"). @defaultValue "live" */
  sync: z
    .enum(['live', 'incremental'], { error: expected('live or incremental') })
    .optional()
    .meta({
      description:
        "live: read the whole list every run; incremental: read only what changed, from kept state and Affinity's field-value-changes (lists only, not with onUnmatched: add). Default live.",
    }),
  /** incremental: the longest time between full reconciles (a live run that rebuilds the state). @defaultValue "7d" */
  reconcileEvery: z
    .string({ error: expected(durationText) })
    .refine((text) => durationMs(text) !== null, { error: expected(durationText) })
    .optional()
    .meta({
      description:
        'incremental: the longest time between full reconciles (a live run that rebuilds the state), e.g. "7d", "12h". Default 7d.',
    }),
};

/** Keys that mean something on list mappings only (a target mapping is not offered them). */
export const syncKeys: readonly string[] = Object.keys(syncSettingsShape);

export interface SyncSettings {
  sync: 'live' | 'incremental';
  /** Milliseconds between reconciles at most. */
  reconcileEveryMs: number;
}

/** A mapping's sync settings with the defaults filled. */
export function syncSettingsOf(mapping: {
  sync?: 'live' | 'incremental' | undefined;
  reconcileEvery?: string | undefined;
}): SyncSettings {
  return {
    sync: mapping.sync ?? 'live',
    reconcileEveryMs: durationMs(mapping.reconcileEvery ?? defaultReconcileEvery) ?? 7 * 86_400_000,
  };
}

/**
 * Why `sync: incremental` cannot run this mapping, or null. It keeps one list's entries: a target
 * mapping has no list, and `onUnmatched: add` must see the whole list to know what is not on it.
 */
export function syncSettingsProblem(mapping: {
  sync?: 'live' | 'incremental' | undefined;
  target?: string | undefined;
  onUnmatched?: string | undefined;
}): string | null {
  if (mapping.sync !== 'incremental') return null;
  if (mapping.target !== undefined) {
    return `incremental reads a list's change feed, and a target: ${mapping.target} mapping has no list (it reads its records by id already); remove sync: incremental`;
  }
  if (mapping.onUnmatched === 'add') {
    return 'incremental does not see entries added to the list since its last reconcile, so onUnmatched: add could add a company twice; use sync: live with onUnmatched: add';
  }
  return null;
}
