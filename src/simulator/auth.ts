import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** v2 takes `Authorization: Bearer KEY`; v1 takes HTTP Basic with the key as password (any user). */
export function authorized(req: IncomingMessage, apiKey: string, v2: boolean): boolean {
  const header = req.headers.authorization ?? '';
  if (v2) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match?.[1] !== undefined && same(match[1].trim(), apiKey);
  }
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && same(decoded.slice(colon + 1), apiKey);
}
