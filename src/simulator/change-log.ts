import type { SimValueType } from './field-model.js';

// The simulator's field value change log: what GET /v2/field-value-changes serves (record-change.ts
// adds to it: one change per stored value that differs from the one before, tracked fields only).

/** The API key's user (what GET /v2/auth/whoami answers): the changer of every PATCH. */
export const apiUserId = 1;
/** The changer of control-endpoint edits unless the test names another ("a person in Affinity"). */
export const otherUserId = 2;

export type ActionType = 'add' | 'update' | 'delete';

export interface SimChange {
  id: number;
  listId: number;
  field: { id: string; name: string; type: 'global' | 'list' };
  valueType: SimValueType;
  entityId: number;
  /** The entry the change was made through; global fields belong to the company, changed via one entry. */
  listEntryId: number;
  changerId: number | null;
  changedAt: string;
  /** `changedAt` in epoch milliseconds, for ordering and filters. */
  at: number;
  actionType: ActionType;
  /** The value in the feed's shape (FieldValueChange.value): set, added or removed. */
  value: unknown;
}

/** Changes in recording order; `at` never goes backwards for changes stamped by the clock. */
export class ChangeLog {
  readonly items: SimChange[] = [];
  private nextId = 1;
  private lastAt = 0;

  /** Stamps with `changedAt` when given (a test simulating a late-visible change), else now. */
  stamp(changedAt?: string): { at: number; changedAt: string } {
    if (changedAt !== undefined) return { at: Date.parse(changedAt), changedAt };
    const at = Math.max(Date.now(), this.lastAt);
    this.lastAt = at;
    return { at, changedAt: new Date(at).toISOString() };
  }

  add(change: Omit<SimChange, 'id'>): void {
    this.items.push({ ...change, id: this.nextId++ });
  }
}

/** The changer as the feed's `User` shows it; null for system changes. */
export function renderUser(id: number | null): Record<string, unknown> | null {
  if (id === null) return null;
  if (id === apiUserId) {
    return { id, firstName: 'Sim', lastName: 'Ulator', emailAddress: 'simulator@example.com' };
  }
  return { id, firstName: 'User', lastName: String(id), emailAddress: `user${id}@example.com` };
}
