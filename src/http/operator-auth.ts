import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { bearerMatches } from './bearer-token.js';

/** Who may see the operator pages (the operator page, the dashboard). */
export interface OperatorAuthOptions {
  /** WORKER_HTTP_TOKEN; unset (and not public) = the pages refuse everyone. */
  token: string | undefined;
  /** WORKER_DASHBOARD_PUBLIC: no sign-in at all. */
  public: boolean;
}

export const sessionCookie = 'affinity_sync_session';

/**
 * The one gate in front of every operator page. A request passes with the trigger token given as
 * `Authorization: Bearer <token>`, as basic auth (any user name, the token as password: `curl -u
 * :$TOKEN`), or with the cookie the sign-in form at /login sets. Otherwise: a browser gets the
 * sign-in form (401), a program a JSON 401. Token unset: 403 saying how to turn the pages on.
 */
export function operatorAuth(options: OperatorAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (options.public) return next();
    if (options.token === undefined) {
      return c.json(
        {
          error:
            'the dashboard is off: set WORKER_HTTP_TOKEN on the worker (then sign in with it) or WORKER_DASHBOARD_PUBLIC=true',
        },
        403,
      );
    }
    if (signedIn(c, options.token)) return next();
    const wantsPage = (c.req.header('accept') ?? '').includes('text/html');
    // Bearer, not Basic: a Basic challenge would make browsers pop up their own dialog instead of the form.
    const challenge = { 'www-authenticate': 'Bearer realm="affinity-sync"' };
    if (wantsPage) return c.html(loginPage(c.req.path, undefined), 401, challenge);
    return c.json(
      {
        error:
          'sign in with the worker token: Authorization: Bearer <WORKER_HTTP_TOKEN>, basic auth with it as the password, or the form at /login',
      },
      401,
      challenge,
    );
  };
}

/** GET /login (the form), POST /login (checks the token, sets the session cookie), POST /logout. */
export function loginRoutes(options: OperatorAuthOptions): Hono {
  const app = new Hono();
  app.get('/login', (c) => c.html(loginPage(safeNext(c.req.query('next')), undefined)));
  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(typeof body['next'] === 'string' ? body['next'] : undefined);
    const given = typeof body['token'] === 'string' ? body['token'] : '';
    if (options.token === undefined || !same(given, options.token)) {
      return c.html(loginPage(next, 'That is not the worker token (WORKER_HTTP_TOKEN).'), 401);
    }
    setCookie(c, sessionCookie, sessionValue(options.token), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: c.req.header('x-forwarded-proto') === 'https' || new URL(c.req.url).protocol === 'https:',
    });
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    setCookie(c, sessionCookie, '', { path: '/', maxAge: 0 });
    return c.redirect('/login', 303);
  });
  return app;
}

function signedIn(c: Context, token: string): boolean {
  const header = c.req.header('authorization');
  if (header !== undefined && bearerMatches(header, token)) return true;
  const basic = /^Basic\s+(.+)$/i.exec(header?.trim() ?? '')?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    if (decoded.includes(':') && same(password, token)) return true;
  }
  const cookie = getCookie(c, sessionCookie);
  return cookie !== undefined && same(cookie, sessionValue(token));
}

/** The cookie proves the token without holding it; it stops working when the token changes. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('affinity-sync operator session v1').digest('hex');
}

function same(given: string, expected: string): boolean {
  const digest = (text: string) => createHmac('sha256', 'compare').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}

/** Only a path on this server (never `//host` or a URL) may be where the form sends you back. */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/dashboard';
}

function loginPage(next: string, problem: string | undefined): string {
  const html = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>affinity-sync — sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
input{font:inherit;width:100%;box-sizing:border-box;margin:.25rem 0 1rem;padding:.4rem}
button{font:inherit;padding:.4rem 1rem}.problem{color:#b00020}</style></head>
<body><h1>affinity-sync</h1>
<form method="post" action="/login">
${problem ? `<p class="problem">${html(problem)}</p>\n` : ''}<label for="token">Worker token (WORKER_HTTP_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${html(safeNext(next))}">
<button type="submit">Sign in</button>
</form></body></html>`;
}
