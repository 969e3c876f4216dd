/**
 * A non-streamed response: every output collected, then one JSON body.
 * @module
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { ResponseFormat } from '../format/response-format.js';
import { ChoiceTracker } from './choices.js';
import { CLIENT_GONE, clientGone, outputFailure } from './outcome.js';
import type { Generation } from './start-generation.js';

/** Collects `generation` and answers with `format`'s response; failures are thrown as API errors. */
export async function respondJson(
  c: Context<AppEnv>,
  generation: Generation,
  format: ResponseFormat,
  prefix?: (prompt: number) => string,
): Promise<Response> {
  const journey = c.get('journey');
  const choices = new ChoiceTracker(generation.choices, prefix);
  for await (const item of generation.outputs) {
    const failure = outputFailure(item.output, generation.signal);
    if (failure === CLIENT_GONE) return clientGone(c, choices.completionTokens);
    if (failure) throw failure;
    choices.add(item);
  }
  const body = format.response(choices.choices, choices.usage(generation.promptTokens));
  journey.depart(choices.result());
  return c.json(body);
}
