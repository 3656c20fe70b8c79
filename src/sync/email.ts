/**
 * An e-mail address as matching compares it: trimmed and lowercased (Affinity treats addresses
 * case-insensitively), an optional `mailto:` dropped. Null when what is left is not one address
 * (no `@`, nothing before or after it, spaces, a second `@`). Never throws; idempotent.
 */
export function normalizeEmail(input: string): string | null {
  if (typeof input !== 'string') return null;
  let email = input.trim().toLowerCase();
  if (email.startsWith('mailto:')) email = email.slice('mailto:'.length);
  return /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(email) ? email : null;
}
