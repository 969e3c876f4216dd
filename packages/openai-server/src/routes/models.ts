/**
 * `GET /v1/models`: the served model under each of its names.
 * @module
 */
import type { Handler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { ServerContext } from '../server-context.js';

/** The models handler. */
export function modelsHandler(ctx: ServerContext, root: string): Handler<AppEnv> {
  const body = {
    object: 'list',
    data: ctx.modelNames.map((id) => ({
      id,
      object: 'model',
      created: ctx.createdAt,
      owned_by: 'x-llm',
      root,
      parent: null,
      max_model_len: ctx.engine.maxModelLen,
    })),
  };
  return (c) => c.json(body);
}
