/**
 * Time sources. Request timestamps are monotonic nanoseconds (durations between
 * them are immune to wall-clock jumps); epoch milliseconds are derived from one
 * wall-clock reading taken when the scheduler starts, so no event reads `Date.now()`.
 */

/** A monotonic time source in nanoseconds; inject one to make timings deterministic in tests and simulations. */
export interface Clock {
  /** Monotonic time in nanoseconds; only differences between readings are meaningful. */
  nowNs(): number;
}

/** The default clock: `performance.now()` scaled to nanoseconds (microsecond resolution, safe for ~100 days). */
export const performanceClock: Clock = { nowNs: () => performance.now() * 1e6 };

const performanceEpochMs = (): number => performance.timeOrigin + performance.now();

/** A monotonic clock paired with the wall-clock instant at which it was first read. */
export class SchedulerClock {
  readonly #clock: Clock;
  readonly #baseNs: number;
  readonly #baseEpochMs: number;

  /**
   * Reads `clock` and the wall clock once, to anchor later conversions. The default wall clock is
   * `performance.timeOrigin + performance.now()` (OpenTelemetry's, sub-millisecond), so epoch times
   * from the default clock agree with spans and server timestamps taken on the same timeline.
   */
  constructor(clock: Clock = performanceClock, wallClockMs: () => number = performanceEpochMs) {
    this.#clock = clock;
    this.#baseNs = clock.nowNs();
    this.#baseEpochMs = wallClockMs();
  }

  /** Current monotonic time in nanoseconds. */
  nowNs(): number {
    return this.#clock.nowNs();
  }

  /** Converts a monotonic reading from this clock to Unix epoch milliseconds. */
  epochMs(monotonicNs: number): number {
    return this.#baseEpochMs + (monotonicNs - this.#baseNs) / 1e6;
  }
}
