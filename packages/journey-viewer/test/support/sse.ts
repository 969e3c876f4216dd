/** A server-sent event stream read with fetch, one parsed event at a time. */

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** The events of an open `text/event-stream` response, in order. */
export async function* sseEvents(response: Response): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body!) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).trimStart())
          .join('\n');
      yield { event: field('event') || 'message', data: field('data') };
    }
  }
}
