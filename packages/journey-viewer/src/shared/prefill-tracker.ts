/**
 * Prefill chunks and the end of a recompute are not lifecycle events; they
 * show in the per-step request snapshots. This follows the requests that are
 * prefilling (from their SCHEDULED event to their first token, preemption or
 * end) and turns each step's snapshot of them into PREFILL_CHUNK or DECODE
 * events. The live recorder feeds it `onStep`; the OTLP-JSON reader feeds it
 * rich step spans.
 * @module
 */

/** What a step's snapshot of one request means for its journey. */
export type PrefillOutcome = 'PREFILL_CHUNK' | 'DECODE' | undefined;

/** The requests between SCHEDULED (in PREFILL) and their first decode step. */
export class PrefillTracker {
  /** Request id → prompt tokens computed when last seen. */
  readonly #prefillDone = new Map<string, number>();

  /** Requests being followed; when 0, the per-step snapshots need not be read at all. */
  get size(): number {
    return this.#prefillDone.size;
  }

  /** A request was scheduled with prompt (or recompute) work to do. */
  start(requestId: string, prefillDone: number): void {
    this.#prefillDone.set(requestId, prefillDone);
  }

  /** Its first token, preemption or end: nothing more to follow. */
  stop(requestId: string): void {
    this.#prefillDone.delete(requestId);
  }

  /**
   * A step's snapshot of `requestId`: PREFILL_CHUNK when its prompt advanced,
   * DECODE when a recompute finished (it stops being followed), else nothing.
   */
  observe(requestId: string, phase: string, prefillDone: number): PrefillOutcome {
    const last = this.#prefillDone.get(requestId);
    if (last === undefined) return undefined;
    if (phase === 'DECODE') {
      this.#prefillDone.delete(requestId);
      return 'DECODE';
    }
    if (phase !== 'PREFILL' || prefillDone <= last) return undefined;
    this.#prefillDone.set(requestId, prefillDone);
    return 'PREFILL_CHUNK';
  }

  /** Forgets every request. */
  clear(): void {
    this.#prefillDone.clear();
  }
}
