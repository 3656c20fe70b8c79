import type { IndexedEntry } from './entry-index.js';
import type { PlannedUpdate } from './plan-row.js';
import { sameValue } from './same-value.js';

/**
 * The updates an entry still needs (pure): in diff mode those whose value differs from what
 * Affinity holds; in overwrite mode all of them.
 */
export function diffUpdates(
  entry: IndexedEntry,
  updates: PlannedUpdate[],
  mode: 'diff' | 'overwrite',
): { changed: PlannedUpdate[]; unchanged: number } {
  switch (mode) {
    case 'overwrite':
      return { changed: updates, unchanged: 0 };
    case 'diff': {
      const changed = updates.filter(({ update }) => !sameValue(entry.values.get(update.id), update.value));
      return { changed, unchanged: updates.length - changed.length };
    }
    default: {
      const never: never = mode;
      return never;
    }
  }
}
