import { domainToASCII } from 'node:url';

// `https://`, `ftp://`, `//` — anything before `://` that looks like a URL scheme.
const schemePattern = /^(?:[a-z][a-z0-9+.-]*:)?\/\//;
const maxDomainLength = 253;
const maxLabelLength = 63;
const asciiHostname = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/**
 * Normalizes what a warehouse holds as a company's domain (a URL, an email address, a host with
 * port, upper case, IDN) to the form Affinity keeps in `entity.domain` / `entity.domains`:
 * lowercase ASCII (punycode), no scheme, userinfo, `www.`, port, path, query, fragment or trailing
 * dot. Returns null when what is left is not a plausible public hostname: no dot, empty labels,
 * spaces or other invalid characters, a label over 63 or a name over 253 characters, or an IP
 * address (a company is never matched by IP). Never throws; idempotent.
 */
export function normalizeDomain(input: string): string | null {
  if (typeof input !== 'string') return null;
  // Fast path for what Affinity itself holds: already lowercase ASCII, nothing to strip or decode.
  if (asciiHostname.test(input) && !input.startsWith('www.') && !input.includes('xn--')) {
    return isPlausibleHostname(input) ? input : null;
  }
  let host = input.trim().toLowerCase();
  if (host.startsWith('mailto:')) host = host.slice('mailto:'.length);
  host = host.replace(schemePattern, '');
  // The authority ends at the first path, query or fragment delimiter.
  const end = host.search(/[/?#\\]/);
  if (end >= 0) host = host.slice(0, end);
  // Userinfo (`user:pass@`) and email local parts: the host is after the last `@`.
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  host = host.replace(/:\d*$/, '');
  host = stripTrailingDots(host);
  // Percent-escapes and brackets (IPv6) never name a company; domainToASCII would decode the former.
  if (host === '' || /[%[\]:\s]/.test(host)) return null;
  host = stripTrailingDots(domainToASCII(host));
  if (host === '') return null;
  // `www.` goes only while a registrable name remains (`www.com` stays as it is).
  while (host.startsWith('www.') && host.indexOf('.', 4) > 0) host = host.slice(4);
  return isPlausibleHostname(host) ? host : null;
}

function stripTrailingDots(host: string): string {
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 46) end -= 1;
  return host.slice(0, end);
}

// Labels of letters, digits and inner hyphens, 1–63 characters each (RFC 1123), at least two;
// a loop, because a bounded-repeat regex per label made indexing 100,000 entries several times slower.
function isPlausibleHostname(host: string): boolean {
  if (host.length > maxDomainLength || !asciiHostname.test(host)) return false;
  let start = 0;
  for (let dot = host.indexOf('.'); start <= host.length; dot = host.indexOf('.', start)) {
    const end = dot < 0 ? host.length : dot;
    if (end - start > maxLabelLength || host[start] === '-' || host[end - 1] === '-') return false;
    if (dot < 0) break;
    start = dot + 1;
  }
  // An all-numeric last label means an IPv4 address (or garbage), not a domain.
  return !/^\d+$/.test(host.slice(start));
}
