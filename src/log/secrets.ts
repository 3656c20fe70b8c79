// Process-wide registry of secret strings (API keys, passwords, private keys) so any text that
// leaves the process — log lines, reports, error messages — can be scrubbed of them.

const secrets = new Set<string>();
const mask = '[redacted]';

/** Registers a secret; values shorter than 4 characters are ignored (they would mask ordinary text). */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed.length >= 4) secrets.add(trimmed);
  // A PEM key also leaks line by line; register its body lines too.
  if (trimmed.includes('\n')) {
    for (const line of trimmed.split(/\r?\n/)) {
      const body = line.trim();
      // PEM armour lines ("-----BEGIN PRIVATE KEY-----") are public; masking them hides useful text.
      if (body.length >= 16 && !body.startsWith('-----')) secrets.add(body);
    }
  }
}

/** Returns `text` with every registered secret replaced by "[redacted]". */
export function scrub(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(mask);
  return out;
}

/** Scrubs every string inside a JSON-like value, returning a copy. */
export function scrubDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  return JSON.parse(scrub(JSON.stringify(value))) as T;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
