/**
 * The viewer's key check, for a server started with API keys: the same keys
 * as the OpenAI routes, accepted as `Authorization: Bearer <key>` (scripts,
 * curl) or as the password of HTTP Basic auth with any user name, which is
 * what a browser can send: it asks once, then sends the credentials with the
 * page's own requests, its event stream included (EventSource cannot set a
 * header). As on the OpenAI routes, a key may hold any character: the raw
 * header (or password) is compared over SHA-256 digests in constant time.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';

/** The realm browsers show in their password prompt. */
export const VIEWER_REALM = 'x-llm journey viewer';

/** Accepts requests that carry one of `keys`, as a bearer token or a Basic-auth password. */
export const viewerAuth = (keys: readonly string[]): MiddlewareHandler => {
  const isBearer = oneOf(keys.map((key) => `Bearer ${key}`));
  const isKey = oneOf(keys);
  const basic: MiddlewareHandler = basicAuth({
    realm: VIEWER_REALM,
    verifyUser: (_user, password) => isKey(password),
  });
  return async function viewerAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    if (!/^bearer\s/i.test(header)) return basic(c, next);
    if (isBearer(header)) return next();
    return c.text('Unauthorized', 401, {
      'WWW-Authenticate': `Bearer realm="${VIEWER_REALM}",error="invalid_token"`,
    });
  };
};

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether a text is one of `expected`, every one compared so the time taken tells nothing. */
function oneOf(expected: readonly string[]): (text: string) => boolean {
  const digests = expected.map(digest);
  return (text) => {
    const given = digest(text);
    let matched = false;
    for (const d of digests) matched = timingSafeEqual(given, d) || matched;
    return matched;
  };
}
