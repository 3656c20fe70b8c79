/**
 * REDIS_URL as a message may show it: the password replaced by `***`, the user name and the rest
 * kept (they tell which server and account). Text that does not parse stays out of messages.
 */
export function redisLocation(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'REDIS_URL (not a URL like redis://host:6379)';
  }
  if (parsed.host === '') return 'REDIS_URL (not a URL like redis://host:6379)';
  if (parsed.password !== '') parsed.password = '***';
  parsed.search = '';
  parsed.hash = '';
  return `REDIS_URL=${parsed.toString()}`;
}
