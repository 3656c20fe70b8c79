// Pure: times, durations and values as the operator page writes them.

/** "2026-07-02 06:00:01 UTC" (an unparsable text as it is). */
export function showTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "in 4 h 12 min", "3 min ago", "now". */
export function showRelative(iso: string, now: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const delta = ms - now;
  const span = roughSpan(Math.abs(delta));
  if (span === '') return 'now';
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

function roughSpan(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return ms < 1000 ? '' : `${Math.floor(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/** "0.4 s", "41.3 s", "2 min 5 s". */
export function showDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A before / after value: ∅ for empty, texts quoted, anything else as JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
