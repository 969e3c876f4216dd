/**
 * Argument checks shared by config and request validation, so every error names
 * the offending field and the value it got in the same way.
 */

/** Renders a rejected value for an error message (strings quoted, so `""` is visible). */
export function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Returns `value` when it is an integer no smaller than `min`; throws a RangeError naming `name` otherwise. */
export function requireInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min} (got ${describeValue(value)})`);
  }
  return value;
}

/** Returns `value` when it is a finite number; throws a RangeError naming `name` otherwise. */
export function requireFinite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number (got ${describeValue(value)})`);
  }
  return value;
}

/** Returns `value` when it is a boolean; throws a TypeError naming `name` otherwise. */
export function requireBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean (got ${describeValue(value)})`);
  }
  return value;
}
