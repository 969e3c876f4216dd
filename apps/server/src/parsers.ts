/**
 * Value parsers shared by flags, environment variables and the config file:
 * each takes the text form and throws commander's `InvalidArgumentError`
 * with a message that says what was expected.
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** Parses one option value from its text. */
export type Parser<T> = (text: string) => T;

/** An integer ≥ `min`. */
export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
      throw new InvalidArgumentError(`expected an integer ${range}, got "${text}"`);
    }
    return value;
  };

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** A byte count: `268435456`, `256MiB`, `1GiB`, `512MB`. */
export const byteSize: Parser<number> = (text) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes > 0))
    throw new InvalidArgumentError(`expected a size such as 268435456, 256MiB or 1GiB, got "${text}"`);
  return bytes;
};

/** One of `choices`. */
export const oneOf =
  <T extends string>(choices: readonly T[]): Parser<T> =>
  (text) => {
    if (!choices.includes(text as T)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${text}"`);
    }
    return text as T;
  };

/** A non-empty string. */
export const text: Parser<string> = (value) => {
  if (value === '') throw new InvalidArgumentError('expected a non-empty value');
  return value;
};

/** A comma-separated list (`a,b`), for lists given in one environment variable. */
export const list: Parser<string[]> = (value) => value.split(',').map((v) => text(v.trim()));

/** `true/false`, `1/0`, `yes/no`, `on/off`, for booleans given as text (environment). */
export const boolean: Parser<boolean> = (value) => {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
};

/** A number in (0, 1]: a fraction such as `0.9`. */
export const fraction: Parser<number> = (text) => {
  const value = Number(text);
  if (text.trim() === '' || !(value > 0 && value <= 1))
    throw new InvalidArgumentError(`expected a fraction in (0, 1], got "${text}"`);
  return value;
};

/** A JSON list of strings, as vLLM takes them: `'["*"]'`, `'["https://a.example"]'`. */
export const jsonList: Parser<string[]> = (value) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
    throw new InvalidArgumentError(`expected a JSON list of strings such as '["*"]', got ${value}`);
  return parsed as string[];
};
