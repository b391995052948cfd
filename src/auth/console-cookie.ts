/**
 * The admin console's session cookie and its CSRF rule, shared by the console
 * routes and the GraphQL endpoint.
 *
 * CSRF: the cookie is SameSite=Strict, and a request authenticated by it must
 * also carry the `X-Parley-Console` header. A cross-site page cannot add a
 * custom header without a CORS preflight, which parley never grants, so a
 * forged form post or image request never counts as signed in.
 */
export const SESSION_COOKIE = 'parley_session';
export const CONSOLE_HEADER = 'x-parley-console';

/** The value of one cookie from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}

/** Set-Cookie value for a session token (or, with `token: null`, one that deletes it). */
export function sessionCookie(token: string | null, options: { maxAgeSeconds: number; secure: boolean }): string {
  const parts = [
    `${SESSION_COOKIE}=${token ? encodeURIComponent(token) : ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
  ];
  parts.push(token ? `Max-Age=${Math.floor(options.maxAgeSeconds)}` : 'Max-Age=0');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session token of a request that may use it: cookie present and the console header set. */
export function consoleSessionToken(headers: {
  cookie?: string;
  [name: string]: string | string[] | undefined;
}): string | null {
  if (!headers[CONSOLE_HEADER]) return null;
  return readCookie(headers.cookie, SESSION_COOKIE);
}
