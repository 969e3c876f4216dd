/**
 * Time sources. Request timestamps are monotonic nanoseconds (durations between
 * them are immune to wall-clock jumps); epoch milliseconds come from the clock
 * itself when it knows its origin, else from one wall-clock reading taken when
 * the scheduler starts, so no event reads `Date.now()`.
 */

/** A monotonic time source in nanoseconds; inject one to make timings deterministic in tests and simulations. */
export interface Clock {
  /** Monotonic time in nanoseconds; only differences between readings are meaningful. */
  nowNs(): number;
  /**
   * Unix epoch milliseconds of a reading, for clocks whose origin is known exactly. Without it the
   * scheduler anchors the clock to the wall clock once, when it starts.
   */
  epochMs?(monotonicNs: number): number;
}

/**
 * The default clock: `performance.now()` scaled to nanoseconds (microsecond resolution, safe for
 * ~100 days). Its epoch is `performance.timeOrigin` (OpenTelemetry's, sub-millisecond), so epoch
 * times agree exactly with spans and server timestamps taken on the same timeline.
 */
export const performanceClock: Clock = {
  nowNs: () => performance.now() * 1e6,
  epochMs: (monotonicNs) => performance.timeOrigin + monotonicNs / 1e6,
};

/** A monotonic clock with a conversion to Unix epoch milliseconds. */
export class SchedulerClock {
  readonly #clock: Clock;
  /** Converts a reading to epoch ms. */
  readonly epochMs: (monotonicNs: number) => number;

  /**
   * Uses the clock's own epoch when it has one. Otherwise reads `clock` and the wall clock once to
   * anchor later conversions (two readings: a pause between them would shift every epoch time by as
   * much, which is why the default clock carries its own).
   */
  constructor(clock: Clock = performanceClock) {
    this.#clock = clock;
    if (clock.epochMs) {
      this.epochMs = (monotonicNs) => clock.epochMs!(monotonicNs);
    } else {
      const baseNs = clock.nowNs();
      const baseEpochMs = performance.timeOrigin + performance.now();
      this.epochMs = (monotonicNs) => baseEpochMs + (monotonicNs - baseNs) / 1e6;
    }
  }

  /** Current monotonic time in nanoseconds. */
  nowNs(): number {
    return this.#clock.nowNs();
  }
}
