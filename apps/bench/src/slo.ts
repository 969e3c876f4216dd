/**
 * Service-level objectives for goodput: `--slo ttft=200ms,tpot=50ms,e2e=2s`.
 * A request is good when it succeeded and meets every objective given, as in
 * vLLM's `--goodput` (DistServe's definition); goodput is good requests per
 * second. vLLM's own form, `ttft:200` with the value in milliseconds, is
 * accepted too.
 * @module
 */

/** The per-request figures an objective can bound. */
export type SloMetric = 'ttft' | 'tpot' | 'e2el';

/** Upper bounds in milliseconds; a metric left out is not checked. */
export type Slo = Readonly<Partial<Record<SloMetric, number>>>;

/** A malformed `--slo` value; the message says what was expected. */
export class SloError extends Error {
  override name = 'SloError';
}

const NAMES: Readonly<Record<string, SloMetric>> = { ttft: 'ttft', tpot: 'tpot', e2el: 'e2el', e2e: 'e2el' };
const UNIT_MS: Readonly<Record<string, number>> = { '': 1, us: 1e-3, µs: 1e-3, ms: 1, s: 1000 };
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s)?$/;

/** Parses a duration such as `200ms`, `2s`, `150us` or `200` (milliseconds) into milliseconds. */
export function parseDurationMs(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new SloError(`expected a duration such as 200ms, 2s or 150us, got "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2] ?? '']!;
}

/** Parses `name=duration[,name=duration…]`; names are ttft, tpot and e2e (or e2el). */
export function parseSlo(text: string): Slo {
  const slo: Partial<Record<SloMetric, number>> = {};
  const pairs = text.split(',').map((p) => p.trim());
  if (pairs.every((p) => p === ''))
    throw new SloError('expected name=duration pairs such as ttft=200ms,tpot=50ms');
  for (const pair of pairs) {
    const sep = pair.search(/[=:]/);
    if (sep < 0) throw new SloError(`expected name=duration, got "${pair}" (e.g. ttft=200ms)`);
    const name = pair.slice(0, sep).trim().toLowerCase();
    const metric = NAMES[name];
    if (!metric) throw new SloError(`unknown objective "${name}": expected one of ttft, tpot, e2e`);
    if (slo[metric] !== undefined) throw new SloError(`objective ${name} given twice`);
    slo[metric] = parseDurationMs(pair.slice(sep + 1));
  }
  return slo;
}

/** A request's figures in milliseconds; `tpot` is 0 for a single-token output, as in vLLM. */
export interface SloSample {
  readonly ttft: number;
  readonly tpot: number;
  readonly e2el: number;
}

/** Whether a successful request meets every objective in `slo`. */
export function meetsSlo(sample: SloSample, slo: Slo): boolean {
  return (Object.entries(slo) as [SloMetric, number][]).every(([metric, bound]) => sample[metric] <= bound);
}

/** `slo` written back as flag text (`ttft=200ms,tpot=50ms`). */
export function formatSlo(slo: Slo): string {
  return Object.entries(slo)
    .map(([metric, ms]) => `${metric}=${ms}ms`)
    .join(',');
}
