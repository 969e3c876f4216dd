/**
 * The live half of the viewer: while at least one page listens, collects the
 * journeys that changed and the new steps, and every `intervalMs` serializes
 * them once into an update for every client. A new client first gets a full
 * snapshot. A client still busy with its previous message skips updates and
 * gets a fresh snapshot once it catches up, so a slow page costs one message
 * of memory, not a queue. With no client the recorder is not watched at all.
 * @module
 */
import type { JourneyRecorder, RecorderWatcher } from './journey-recorder.js';
import type { Journey, JourneyUpdate, StepSummary } from './shared/journey-types.js';

/** One server-sent event. */
export interface FeedMessage {
  readonly event: 'snapshot' | 'update';
  /** JSON: a `JourneySnapshot` or a `JourneyUpdate`. */
  readonly data: string;
}

/** Delivers a message to one client; resolves once it is written. */
export type FeedSender = (message: FeedMessage) => Promise<void>;

interface Client {
  readonly send: FeedSender;
  /** Ends the client's stream (at close). */
  readonly end: () => void;
  busy: boolean;
  /** Missed an update while busy: owes a snapshot. */
  stale: boolean;
}

/** Fans the recorder's changes out to the connected pages. */
export class LiveFeed {
  readonly #recorder: JourneyRecorder;
  readonly #intervalMs: number;
  readonly #clients = new Set<Client>();
  readonly #changed = new Set<Journey>();
  #steps: StepSummary[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #watcher: RecorderWatcher = {
    journeyChanged: (journey) => this.#changed.add(journey),
    // So that what waits for the next flush is never more than the recorder keeps.
    journeyEvicted: (journey) => this.#changed.delete(journey),
    stepAdded: (step) => {
      this.#steps.push(step);
      // A stalled timer must not let steps pile up beyond what the recorder keeps anyway.
      if (this.#steps.length > this.#recorder.maxSteps) this.#steps.shift();
    },
  };

  constructor(recorder: JourneyRecorder, intervalMs = 250) {
    this.#recorder = recorder;
    this.#intervalMs = intervalMs;
  }

  /** Pages connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Adds a client: it gets a snapshot now, then updates, until it is removed
   * (the returned function) or the feed closes (then `end` is called).
   */
  subscribe(send: FeedSender, end: () => void): () => void {
    if (this.#closed) {
      end();
      return () => {};
    }
    const client: Client = { send, end, busy: false, stale: false };
    if (this.#clients.size === 0) this.#start();
    this.#clients.add(client);
    this.#deliver(client, this.#snapshotMessage());
    return () => this.#remove(client);
  }

  /** Sends what changed since the last flush (the timer calls this). */
  flush(): void {
    if (this.#changed.size === 0 && this.#steps.length === 0) return;
    const update: JourneyUpdate = {
      nowMs: this.#recorder.nowMs(),
      journeys: [...this.#changed],
      steps: this.#steps,
    };
    this.#changed.clear();
    this.#steps = [];
    const message: FeedMessage = { event: 'update', data: JSON.stringify(update) };
    for (const client of this.#clients) {
      if (client.busy) client.stale = true;
      else this.#deliver(client, message);
    }
  }

  /** Ends every client's stream and stops watching; later clients are ended at once. */
  close(): void {
    this.#closed = true;
    const clients = [...this.#clients];
    this.#clients.clear();
    this.#stop();
    for (const client of clients) client.end();
  }

  #deliver(client: Client, message: FeedMessage): void {
    client.busy = true;
    client.send(message).then(
      () => {
        client.busy = false;
        if (client.stale && this.#clients.has(client)) {
          client.stale = false;
          this.#deliver(client, this.#snapshotMessage());
        }
      },
      // A failed write means the page went away.
      () => this.#remove(client),
    );
  }

  #remove(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size === 0) this.#stop();
  }

  #snapshotMessage(): FeedMessage {
    return { event: 'snapshot', data: JSON.stringify(this.#recorder.snapshot()) };
  }

  #start(): void {
    this.#recorder.watch(this.#watcher);
    this.#timer = setInterval(() => this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    this.#recorder.watch(undefined);
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#changed.clear();
    this.#steps = [];
  }
}
