/**
 * What a phase hands on: its value, or why the run stops there (the report's `error`). Phases
 * return this instead of throwing; only ConfigError and unexpected failures are thrown.
 */
export type PhaseOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export function succeed<T>(value: T): PhaseOutcome<T> {
  return { ok: true, value };
}

export function stop(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
