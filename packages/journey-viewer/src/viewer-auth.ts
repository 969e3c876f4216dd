/**
 * The viewer's key check, for a server started with API keys: the same keys
 * as the OpenAI routes, accepted as `Authorization: Bearer <key>` (scripts,
 * curl) or as the password of HTTP Basic auth with any user name, which is
 * what a browser can send: it asks once, then sends the credentials with the
 * page's own requests, its event stream included (EventSource cannot set a
 * header). Hono's bearer-auth and basic-auth do the checking.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';

/** The realm browsers show in their password prompt. */
export const VIEWER_REALM = 'x-llm journey viewer';

/** Accepts requests that carry one of `keys`, as a bearer token or a Basic-auth password. */
export const viewerAuth = (keys: readonly string[]): MiddlewareHandler => {
  const bearer: MiddlewareHandler = bearerAuth({ token: [...keys], realm: VIEWER_REALM });
  const basic: MiddlewareHandler = basicAuth({
    realm: VIEWER_REALM,
    verifyUser: async (_user, password) => {
      const matches = await Promise.all(keys.map((key) => timingSafeEqual(key, password)));
      return matches.includes(true);
    },
  });
  return async function viewerAuth(c, next) {
    const bearing = /^bearer\s/i.test(c.req.header('authorization') ?? '');
    return (bearing ? bearer : basic)(c, next);
  };
};
