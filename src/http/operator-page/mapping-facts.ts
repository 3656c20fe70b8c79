// Pure: what the operator page says of a mapping's settings, read defensively (the format gains
// targets and sync kinds while this page stays the same).

/** "Writes to list 1001" or "companies", its sync kind and mode, its source type. */
export function mappingFacts(mapping: unknown): Array<{ label: string; value: string }> {
  const m = (typeof mapping === 'object' && mapping !== null ? mapping : {}) as Record<string, unknown>;
  const facts: Array<{ label: string; value: string }> = [];
  const destination = describeDestination(m);
  if (destination) facts.push({ label: 'Writes to', value: destination });
  if (typeof m['sync'] === 'string') facts.push({ label: 'Sync', value: m['sync'] });
  if (typeof m['mode'] === 'string') facts.push({ label: 'Mode', value: m['mode'] });
  const source = m['source'] as Record<string, unknown> | undefined;
  if (typeof source?.['type'] === 'string') facts.push({ label: 'Source', value: source['type'] });
  return facts;
}

function describeDestination(m: Record<string, unknown>): string | undefined {
  const list = m['list'];
  if (typeof list === 'number' || typeof list === 'string') return `list ${list}`;
  const target = m['target'];
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null) return JSON.stringify(target);
  return undefined;
}
