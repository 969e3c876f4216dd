/**
 * Reads a JSON request body and validates it against a zod schema, turning
 * every failure (content type, malformed JSON, wrong types) into a 400 that
 * names the offending field.
 * @module
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, badRequest } from '../errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** The body of `c` as `schema`'s output; throws a 400 `ApiError` otherwise. */
export async function parseJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header('content-type');
  // A missing Content-Type is read as JSON (as OpenAI's API does); any other type is refused.
  if (type !== undefined && !JSON_TYPE.test(type)) {
    throw badRequest(`Content-Type must be application/json (got ${type})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(utf8Text(await c.req.arrayBuffer()));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = formatPath(issue.path);
  throw badRequest(param ? `${param}: ${issue.message}` : issue.message, param);
}

/** The body's text; malformed bytes are a 400 rather than U+FFFD, as OpenAI and vLLM answer. */
function utf8Text(bytes: ArrayBuffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw badRequest('the request body is not valid UTF-8');
  }
}

/** `messages[0].content`, or null for the body itself. */
function formatPath(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || null;
}
