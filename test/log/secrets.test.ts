import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret, scrub, scrubDeep } from '../../src/log/secrets.js';

afterEach(() => clearSecrets());

describe('secret scrubbing', () => {
  it('replaces every registered secret and ignores values too short to be one', () => {
    registerSecret('sk-live-abcdef123456');
    registerSecret('abc');
    registerSecret(undefined);
    expect(scrub('key sk-live-abcdef123456 and abc')).toBe('key [redacted] and abc');
    expect(scrubDeep({ a: ['x sk-live-abcdef123456'] })).toEqual({ a: ['x [redacted]'] });
  });

  it('masks each body line of a PEM key but not its public armour lines', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    registerSecret(`-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`);
    expect(scrub(`line: ${body}`)).toBe('line: [redacted]');
    expect(scrub('expected -----BEGIN PRIVATE KEY-----')).toBe('expected -----BEGIN PRIVATE KEY-----');
  });
});
