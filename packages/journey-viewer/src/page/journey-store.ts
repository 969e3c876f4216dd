/**
 * What the page shows: the journeys (by id, oldest first) and steps, kept
 * within the same bounds as the server, from a snapshot plus live updates or
 * from a loaded trace. Its clock follows the server's, so open segments grow
 * in step with the server whatever the browser's clock says.
 * @module
 */
import type { Journey, JourneySnapshot, JourneyUpdate, StepSummary } from '../shared/journey-types.js';
import { Ring } from '../shared/ring.js';

/** The page's data. */
export class JourneyStore {
  journeys = new Map<string, Journey>();
  steps: Ring<StepSummary> = new Ring(1);
  /** Whether the data is the live feed (open segments run to now) or a finished trace. */
  live = false;
  /** Bumped on every change, so views redraw only when needed. */
  version = 0;
  #maxRequests = 1;
  /** Server time minus browser time, ms. */
  #clockOffset = 0;
  /** For a trace: the time its last event happened. */
  #endMs = 0;

  /** Server time now (live), or the end of the trace. */
  nowMs(): number {
    return this.live ? Date.now() + this.#clockOffset : this.#endMs;
  }

  /** Replaces everything with a live snapshot. */
  applySnapshot(snapshot: JourneySnapshot): void {
    this.live = true;
    this.#maxRequests = snapshot.maxRequests;
    this.#clockOffset = snapshot.nowMs - Date.now();
    this.journeys = new Map(snapshot.journeys.map((j) => [j.id, j]));
    this.steps = new Ring(snapshot.maxSteps);
    for (const step of snapshot.steps) this.steps.push(step);
    this.version++;
  }

  /** Applies a live update: changed journeys replace theirs, new steps are appended. */
  applyUpdate(update: JourneyUpdate): void {
    this.#clockOffset = update.nowMs - Date.now();
    for (const journey of update.journeys) this.journeys.set(journey.id, journey);
    // Insertion order is arrival order: drop the oldest beyond the server's own bound.
    for (const id of this.journeys.keys()) {
      if (this.journeys.size <= this.#maxRequests) break;
      this.journeys.delete(id);
    }
    for (const step of update.steps) this.steps.push(step);
    this.version++;
  }

  /** Replaces everything with a loaded trace (not live). */
  applyTrace(journeys: readonly Journey[], steps: readonly StepSummary[]): void {
    this.live = false;
    this.#maxRequests = Math.max(1, journeys.length);
    this.journeys = new Map(journeys.map((j) => [j.id, j]));
    this.steps = new Ring(Math.max(1, steps.length));
    for (const step of steps) this.steps.push(step);
    let endMs = 0;
    for (const journey of journeys) for (const event of journey.events) endMs = Math.max(endMs, event.timeMs);
    for (const step of steps) endMs = Math.max(endMs, step.startMs + step.durationMs);
    this.#endMs = endMs;
    this.version++;
  }

  /** Earliest time anything kept starts at, or undefined when there is nothing. */
  startMs(): number | undefined {
    let start = Infinity;
    for (const journey of this.journeys.values()) start = Math.min(start, journey.startMs);
    for (const step of this.steps) {
      start = Math.min(start, step.startMs);
      break; // steps are in time order
    }
    return start === Infinity ? undefined : start;
  }
}
