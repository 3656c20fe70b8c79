/**
 * A URL safe to show a person: user name, password and query string (which may carry a
 * password or sslkey path) removed. Text that does not parse as a URL becomes "(invalid URL)".
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  // "user:pass@host" without "//" parses as scheme "user:" with the password in the path.
  if (parsed.host === '') return '(invalid URL)';
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}
