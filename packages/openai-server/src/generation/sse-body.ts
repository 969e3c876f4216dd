/**
 * The body of a streamed response: SSE events queued for the client, at
 * most `maxBufferedBytes` of them and none unread for longer than
 * `stallTimeoutMs`. The generation never waits for the client; a client
 * that reads slower than the response is produced, or not at all, is cut
 * off when either limit is passed (its engine requests aborted, their KV
 * blocks freed), so that it cannot make the server hold its output for as
 * long as it likes.
 * @module
 */
import { CLIENT_GONE } from './outcome.js';

/** How much output a streamed response may keep waiting for its client. */
export interface StreamLimits {
  /** Most bytes of events queued for a client that does not take them as fast as they come. */
  readonly maxBufferedBytes: number;
  /** Longest time (ms) queued events may wait without the client taking any. */
  readonly stallTimeoutMs: number;
}

/** What an {@link SseBody} does when its client stops reading. */
export interface SseBodyActions {
  /** Called once, with why, when the client left or was cut off. */
  readonly onFail: (reason: string) => void;
  /** Closes the client's connection; without it the body stream is errored (which the server should do). */
  readonly cut?: () => void;
}

const encoder = new TextEncoder();

/** A bounded queue of SSE events, read by the HTTP server as the client takes them. */
export class SseBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #limits: StreamLimits;
  readonly #actions: SseBodyActions;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #queue: Uint8Array[] = [];
  #bytes = 0;
  /** The server asked for output while there was none: the next event goes straight to it. */
  #wanted = false;
  #ending = false;
  #settled = false;
  #failure: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #settle!: (failure: string | undefined) => void;
  readonly #ended = new Promise<string | undefined>((resolve) => (this.#settle = resolve));

  constructor(limits: StreamLimits, actions: SseBodyActions) {
    this.#limits = limits;
    this.#actions = actions;
    // No queue of the stream's own (high-water mark 0): each pull is the server taking an event.
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.#controller = controller),
        pull: () => this.#pull(),
        cancel: () => void this.#fail(CLIENT_GONE),
      },
      { highWaterMark: 0 },
    );
  }

  /** Why the client will not get the rest of the response, once that is known. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Queues `data: <data>`, after `event: <event>` when named; ignored once the body ends or failed. */
  send(data: string, event?: string): void {
    if (this.#ending || this.#settled) return;
    const bytes = encoder.encode(`${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`);
    if (this.#wanted) {
      this.#wanted = false;
      this.#controller.enqueue(bytes);
      return;
    }
    this.#queue.push(bytes);
    this.#bytes += bytes.length;
    const { maxBufferedBytes, stallTimeoutMs } = this.#limits;
    if (this.#bytes > maxBufferedBytes) {
      this.#cut(`the client did not read its stream: more than ${maxBufferedBytes} bytes were waiting`);
    } else if (this.#timer === undefined && Number.isFinite(stallTimeoutMs)) {
      this.#timer = setTimeout(
        () => this.#cut(`the client did not read its stream for ${stallTimeoutMs} ms`),
        stallTimeoutMs,
      );
    }
  }

  /**
   * Ends the stream after the queued events. Resolves once the server took the last of them
   * (undefined), or with why the client will not get them.
   */
  end(): Promise<string | undefined> {
    this.#ending = true;
    if (this.#queue.length === 0) this.#close();
    return this.#ended;
  }

  #pull(): void {
    const bytes = this.#queue.shift();
    if (bytes === undefined) {
      this.#wanted = true;
      return;
    }
    this.#bytes -= bytes.length;
    this.#controller.enqueue(bytes);
    if (this.#queue.length > 0) this.#timer?.refresh();
    else if (this.#ending) this.#close();
    else this.#stopTimer();
  }

  #close(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#stopTimer();
    this.#controller.close();
    this.#settle(undefined);
  }

  /** Gives up on a client that stopped reading: drops its events and its connection. */
  #cut(reason: string): void {
    if (!this.#fail(reason)) return;
    if (this.#actions.cut) this.#actions.cut();
    else this.#controller.error(new Error(reason));
  }

  #fail(reason: string): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#failure = reason;
    this.#stopTimer();
    this.#queue.length = 0;
    this.#bytes = 0;
    this.#settle(reason);
    this.#actions.onFail(reason);
    return true;
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
