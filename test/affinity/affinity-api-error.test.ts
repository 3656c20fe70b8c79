import { afterEach, describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import { clearSecrets, registerSecret } from '../../src/log/secrets.js';

describe('AffinityApiError', () => {
  afterEach(() => clearSecrets());

  it('formats method, path, status, code, param and message', () => {
    const body = JSON.stringify({
      errors: [{ code: 'validation', message: 'Expected number', param: 'updates[0].value' }],
    });
    const error = AffinityApiError.fromResponse(
      { method: 'PATCH', path: '/v2/lists/1/list-entries/2/fields', status: 400 },
      body,
    );
    expect(error.message).toBe(
      'PATCH /v2/lists/1/list-entries/2/fields: 400 validation (updates[0].value): Expected number',
    );
    expect(error).toMatchObject({
      name: 'AffinityApiError',
      method: 'PATCH',
      path: '/v2/lists/1/list-entries/2/fields',
      status: 400,
      code: 'validation',
      param: 'updates[0].value',
      affinityMessage: 'Expected number',
      retryable: false,
    });
  });

  it('counts further errors of the body', () => {
    const body = JSON.stringify({
      errors: [
        { code: 'bad-request', message: 'first' },
        { code: 'bad-request', message: 'second' },
        { code: 'bad-request', message: 'third' },
      ],
    });
    const error = AffinityApiError.fromResponse({ method: 'GET', path: '/v2/lists', status: 400 }, body);
    expect(error.message).toBe('GET /v2/lists: 400 bad-request: first (and 2 more errors)');
    expect(error.param).toBeUndefined();
  });

  it('says what to do about a 401 without printing the key', () => {
    const error = AffinityApiError.fromResponse({ method: 'GET', path: '/v2/auth/whoami', status: 401 }, '');
    expect(error.message).toBe(
      'GET /v2/auth/whoami: 401 Affinity refused the API key (unauthorized); ' +
        'check that AFFINITY_API_KEY holds a current key from Affinity Settings → API',
    );
  });

  it('tolerates a body that is not Affinity JSON', () => {
    const error = AffinityApiError.fromResponse(
      { method: 'GET', path: '/v2/lists/9', status: 502 },
      '<html>bad gateway</html>',
    );
    expect(error.message).toBe('GET /v2/lists/9: 502: no error details in the response');
    expect(error.code).toBeUndefined();
  });

  it('scrubs registered secrets from every text it carries', () => {
    registerSecret('sk_live_abcdef');
    const body = JSON.stringify({ errors: [{ code: 'validation', message: 'bad key sk_live_abcdef' }] });
    const error = AffinityApiError.fromResponse({ method: 'GET', path: '/v2/lists', status: 400 }, body);
    expect(error.message).toBe('GET /v2/lists: 400 validation: bad key [redacted]');
    expect(error.affinityMessage).toBe('bad key [redacted]');
  });

  it('describes a missing response with status 0', () => {
    const error = new AffinityApiError({
      method: 'GET',
      path: '/v2/lists',
      status: 0,
      detail: 'network error (ECONNRESET); gave up after 6 attempts',
      retryable: true,
    });
    expect(error.message).toBe('GET /v2/lists: network error (ECONNRESET); gave up after 6 attempts');
    expect(error.retryable).toBe(true);
  });
});
