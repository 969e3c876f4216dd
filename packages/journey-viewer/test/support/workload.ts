/**
 * A mixed workload through the official `openai` client: concurrent
 * completions of different prompt lengths (streamed and not), a chat with
 * `n = 2`, a stream the client abandons, and a request the server rejects.
 */
import OpenAI from 'openai';

/** What the workload did. */
export interface WorkloadResult {
  /** Response ids of the requests that completed. */
  readonly completed: string[];
  /** Response id of the abandoned stream. */
  readonly abandoned: string;
}

/** Runs it against `url` (the served model is `model`). */
export async function runWorkload(url: string, model: string): Promise<WorkloadResult> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const completion = async (i: number): Promise<string> => {
    const params = {
      model,
      prompt: 'Once upon a time there was a little robot. '.repeat(1 + i),
      max_tokens: 24,
      temperature: 0,
      ignore_eos: true,
    };
    if (i % 2 === 1) return (await client.completions.create(params)).id;
    let id = '';
    for await (const chunk of await client.completions.create({ ...params, stream: true })) id = chunk.id;
    return id;
  };
  const chat = async (): Promise<string> =>
    (
      await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Tell me about the sea.' }],
        max_tokens: 12,
        n: 2,
      })
    ).id;
  const abandon = async (): Promise<string> => {
    const controller = new AbortController();
    const params = {
      model,
      prompt: 'A story that never ends',
      max_tokens: 100,
      stream: true as const,
      ignore_eos: true,
    };
    const stream = await client.completions.create(params, { signal: controller.signal });
    for await (const chunk of stream) {
      controller.abort();
      return chunk.id;
    }
    throw new Error('the stream ended before its first chunk');
  };
  const rejected = client.completions.create({ model, prompt: 'x', max_tokens: 0 }).then(
    () => {
      throw new Error('max_tokens 0 was accepted');
    },
    (error: unknown) => {
      if (!(error instanceof OpenAI.BadRequestError)) throw error;
    },
  );
  const [completed, abandoned] = await Promise.all([
    Promise.all([...Array.from({ length: 6 }, (_, i) => completion(i)), chat()]),
    abandon(),
    rejected,
  ]);
  return { completed, abandoned };
}
