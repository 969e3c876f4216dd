/**
 * What x-bench asks the server besides the benchmark requests: its models
 * (`/v1/models`), its version (`/version`, vLLM's and ours) and prompt token
 * counts (`/tokenize`, vLLM's and ours). Only `/v1/models` is required.
 * @module
 */

/** The server cannot be reached or does not answer as an OpenAI-compatible server. */
export class ServerError extends Error {
  override name = 'ServerError';
}

/** Which generation endpoint the benchmark drives. */
export const ENDPOINTS = ['completions', 'chat'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The paths of the endpoints under the base URL. */
export const ENDPOINT_PATHS: Readonly<Record<Endpoint, string>> = {
  completions: '/v1/completions',
  chat: '/v1/chat/completions',
};

/** How to reach the server. */
export interface Connection {
  /** `http://host:port`, no trailing slash. */
  readonly baseUrl: string;
  readonly apiKey?: string;
}

/** Request headers: JSON, and the API key as a bearer token. */
export function headers(conn: Connection): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(conn.apiKey !== undefined && { authorization: `Bearer ${conn.apiKey}` }),
  };
}

/** A fetch failure's root cause, e.g. `connect ECONNREFUSED 127.0.0.1:8000`. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return error.message;
  const cause = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}

async function get(conn: Connection, path: string): Promise<Response> {
  try {
    return await fetch(`${conn.baseUrl}${path}`, {
      headers: headers(conn),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ServerError(
      `cannot reach the server at ${conn.baseUrl} (is it running?): ${describeFetchError(error)}`,
    );
  }
}

/** POSTs `body` as JSON and returns the parsed answer; throws a {@link ServerError} on any failure. */
export async function postJson(
  conn: Connection,
  path: string,
  body: object,
  timeoutMs: number,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${conn.baseUrl}${path}`, {
      method: 'POST',
      headers: headers(conn),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ServerError(`cannot reach the server at ${conn.baseUrl}: ${describeFetchError(error)}`);
  }
  if (!res.ok)
    throw new ServerError(`POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/** A served model as `/v1/models` lists it. */
export interface ServedModel {
  readonly id: string;
  /** Its context length (vLLM's `max_model_len`), when the server says. */
  readonly maxModelLen?: number;
}

/** The served models, in the server's order. */
export async function fetchModels(conn: Connection): Promise<ServedModel[]> {
  const res = await get(conn, '/v1/models');
  if (!res.ok) {
    throw new ServerError(
      `GET ${conn.baseUrl}/v1/models answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
  }
  const body = (await res.json().catch(() => undefined)) as
    { data?: { id?: unknown; max_model_len?: unknown }[] } | undefined;
  const models = (body?.data ?? []).flatMap((m): ServedModel[] => {
    if (typeof m.id !== 'string') return [];
    const len = m.max_model_len;
    return [
      { id: m.id, ...(Number.isInteger(len) && (len as number) > 1 && { maxModelLen: len as number }) },
    ];
  });
  if (models.length === 0) throw new ServerError(`GET ${conn.baseUrl}/v1/models listed no model`);
  return models;
}

/** The server's `/version` body, or undefined when it has none. */
export async function fetchVersion(conn: Connection): Promise<unknown> {
  const res = await get(conn, '/version');
  return res.ok ? res.json().catch(() => undefined) : undefined;
}

/** Counts the prompt tokens of a text as the endpoint will see it (chat: with the template). */
export type TokenCounter = (text: string) => Promise<number>;

/**
 * A counter over the server's `/tokenize`, or undefined when the server has
 * none (any answer but 200 to a probe).
 */
export async function tokenCounter(
  conn: Connection,
  model: string,
  endpoint: Endpoint,
): Promise<TokenCounter | undefined> {
  const count: TokenCounter = async (text) => {
    const body =
      endpoint === 'chat' ? { model, messages: [{ role: 'user', content: text }] } : { model, prompt: text };
    const { count } = (await postJson(conn, '/tokenize', body, 30_000)) as { count?: unknown };
    if (typeof count !== 'number') throw new ServerError('POST /tokenize answered without a count');
    return count;
  };
  try {
    await count('hello');
    return count;
  } catch {
    return undefined;
  }
}
