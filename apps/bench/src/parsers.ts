/**
 * Flag value parsers: each returns the value or throws commander's
 * `InvalidArgumentError` with what was expected, which commander prints
 * after the flag's name.
 * @module
 */
import { InvalidArgumentError } from 'commander';
import { parseSlo, SloError, type Slo } from './slo.js';

const fail = (expected: string, got: string): never => {
  throw new InvalidArgumentError(`expected ${expected}, got "${got}".`);
};

/** An integer ≥ `min`. */
export const integer =
  (min: number) =>
  (text: string): number => {
    const value = Number(text.trim());
    return Number.isInteger(value) && value >= min && text.trim() !== ''
      ? value
      : fail(`an integer ≥ ${min}`, text);
  };

/** A finite number > 0. */
export function positive(text: string): number {
  const value = Number(text.trim());
  return Number.isFinite(value) && value > 0 && text.trim() !== '' ? value : fail('a number > 0', text);
}

/** Requests per second (> 0), or `inf` for all at once. */
export function rate(text: string): number {
  return /^\s*(inf|infinity)\s*$/i.test(text) ? Infinity : positive(text);
}

/** A fraction in [0, 1). */
export function ratio(text: string): number {
  const value = Number(text.trim());
  return value >= 0 && value < 1 && text.trim() !== '' ? value : fail('a number in [0, 1)', text);
}

/** A percentile in (0, 100]. */
export function percentileValue(text: string): number {
  const value = Number(text.trim());
  return value > 0 && value <= 100 ? value : fail('percentiles in (0, 100]', text);
}

/** An http(s) URL, without a trailing slash. */
export function baseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('a URL such as http://127.0.0.1:8000', text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('an http:// or https:// URL', text);
  return url.href.replace(/\/+$/, '');
}

/** A comma-separated list of what `item` parses (no duplicates). */
export const list =
  <T>(item: (text: string) => T) =>
  (text: string): T[] => {
    const values = text.split(',').map((part) => item(part));
    if (new Set(values).size !== values.length) fail('distinct values', text);
    return values;
  };

/** `--slo`: SLO errors become argument errors. */
export function slo(text: string): Slo {
  try {
    return parseSlo(text);
  } catch (error) {
    if (error instanceof SloError) throw new InvalidArgumentError(`${error.message}.`);
    throw error;
  }
}
