/**
 * Stop strings over streamed text: finds any of several stop strings even when it spans many
 * tokens, and holds back only the tail that could still grow into one.
 * @module
 */

/** Options of a {@link StopStringMatcher}. */
export interface StopStringOptions {
  /** Send the matched stop string too (vLLM's `include_stop_str_in_output`); default false. */
  includeStopStrInOutput?: boolean;
}

/** What a {@link StopStringMatcher.push} lets through. */
export interface StopStringResult {
  /** Text that is safe to send now. */
  text: string;
  /** The stop string that matched, ending the generation; undefined while none has. */
  stop?: string;
}

/**
 * Matches stop strings in text fed piece by piece. The result does not depend on how the text is
 * cut: the match is the stop string that is complete first (smallest end; the longer on a tie),
 * exactly what a character-by-character check would find.
 */
export class StopStringMatcher {
  private readonly stops: readonly string[];
  private readonly include: boolean;
  /** Held-back tail: the longest suffix that is a proper prefix of some stop string. */
  private pending = '';
  private matched: string | undefined;

  constructor(stops: readonly string[], options: StopStringOptions = {}) {
    const empty = stops.findIndex((s) => s === '');
    if (empty >= 0) throw new Error(`stop strings: stop[${empty}] is empty`);
    this.stops = stops;
    this.include = options.includeStopStrInOutput ?? false;
  }

  /** The stop string that ended the text, once one has. */
  get stopped(): string | undefined {
    return this.matched;
  }

  /** Feeds new text; returns what may be sent now and, on a match, which stop string it was. */
  push(text: string): StopStringResult {
    if (this.matched !== undefined) throw new Error('stop strings: push after a stop string matched');
    const buffer = this.pending + text;
    let best: { start: number; end: number; stop: string } | undefined;
    for (const stop of this.stops) {
      const start = buffer.indexOf(stop);
      if (start < 0) continue;
      const end = start + stop.length;
      if (best === undefined || end < best.end || (end === best.end && start < best.start))
        best = { start, end, stop };
    }
    if (best !== undefined) {
      this.matched = best.stop;
      this.pending = '';
      return { text: buffer.slice(0, this.include ? best.end : best.start), stop: best.stop };
    }
    const keep = this.heldBackLength(buffer);
    this.pending = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep) };
  }

  /** Ends the text without a match: returns the held-back tail. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** Length of the longest suffix of `buffer` that some stop string starts with (below that string's length). */
  private heldBackLength(buffer: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, buffer.length); k > longest; k--) {
        if (buffer.endsWith(stop.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }
}
