/**
 * Large JSON arrays written a slice at a time: `JSON.stringify` of a two-million-token array holds
 * the event loop for ~55 ms by itself, so a response that big is streamed slice by slice, with other
 * callbacks run between slices.
 * @module
 */
import { setImmediate } from 'node:timers/promises';

/** Items per slice: a few milliseconds of JSON at most. */
export const JSON_SLICE = 1 << 16;

/** The JSON text of `items`, each through `map`, in one chunk per slice; it pauses after each slice. */
export async function* jsonArraySlices<T>(
  items: readonly T[],
  map: (item: T) => unknown,
): AsyncGenerator<string, void, void> {
  if (items.length === 0) yield '[';
  for (let at = 0; at < items.length; at += JSON_SLICE) {
    const slice = JSON.stringify(items.slice(at, at + JSON_SLICE).map(map));
    yield (at === 0 ? '[' : ',') + slice.slice(1, -1);
    await setImmediate();
  }
  yield ']';
}

/** A readable body of UTF-8 chunks. */
export function utf8Stream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks).pipeThrough(new TextEncoderStream());
}
