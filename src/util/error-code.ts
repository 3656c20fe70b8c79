/** The `code` of a thrown error (ECONNREFUSED, a Postgres SQLSTATE, a driver's number), as text. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}
