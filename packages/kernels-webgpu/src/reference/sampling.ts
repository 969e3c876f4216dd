/**
 * float64 reference of {@link SamplingKernel}: the same semantics and the
 * same Philox draws, so a test can demand the very token the GPU picked.
 * Where float32 rounding could legitimately change the pick (a draw or a
 * filter boundary within rounding of a tie), `accepted` lists every token
 * the GPU may return; elsewhere it is just `[token]`.
 * @module
 */
import { GREEDY_TEMPERATURE, type SamplingParams } from '../kernels/sampling/params.js';
import { philox4x32, SAMPLING_SALT } from '../kernels/sampling/philox.js';

/** Margin on top-p's cumulative mass, relative to the total: f32 sums of up to 152k terms. */
const MASS_MARGIN = 1e-4;
/** Margin on scaled logits and Gumbel scores: a few f32 roundings of values of that size. */
const scoreMargin = (s: number) => 1e-5 * (1 + Math.abs(s));
/** Key of -inf; anything above it is finite (+inf and NaN are not supported). */
const NEG_INF_KEY = 0x007fffff;

/** What the reference expects of one row. */
export interface SampleRef {
  readonly token: number;
  /** The tokens a float32 implementation may return (always includes `token`). */
  readonly accepted: readonly number[];
  /** log_softmax(logits)[token]. */
  readonly logprob: number;
  /** The `numLogprobs` largest logits' ids, largest first, ties to the lower id. */
  readonly topIds: Int32Array;
  readonly topLogprobs: Float64Array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Orders floats as u32 (the shader's key): -inf < ... < -0 < +0 < ... */
export function orderKey(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b >>> 31 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

/**
 * E = -ln(U), U = (bits + 0.5) / 2^32 on the shader's split (the top bit
 * picks U = v or 1 - v): the exact value `exponential()` in WGSL approximates.
 */
export function exponentialFromBits(bits: number): number {
  const v = ((bits & 0x7fffffff) + 0.5) / 2 ** 32;
  return bits >>> 31 ? -Math.log1p(-v) : -Math.log(v);
}

/** log-sum-exp of the finite logits. */
function logSumExp(row: Float32Array): number {
  let m = -Infinity;
  for (const l of row) if (l > m) m = l;
  let s = 0;
  for (const l of row) if (l > -Infinity) s += Math.exp(l - m);
  return m + Math.log(s);
}

/** Ids sorted by logit descending, ties by id ascending. */
function byLogit(row: Float32Array, keys: Uint32Array): Int32Array {
  return Int32Array.from(row.keys()).sort((a, b) => keys[b]! - keys[a]! || a - b);
}

interface Filter {
  z: Float64Array;
  /** Kept by the exact semantics; by the narrowest and widest sets rounding could give. */
  exact: Uint8Array;
  tight: Uint8Array;
  loose: Uint8Array;
}

/**
 * The top-k / top-p / min-p filter as key thresholds: top-k keeps keys >= the
 * k-th largest; top-p then keeps keys >= the largest K whose top set holds >=
 * topP of the top-k mass; min-p keeps (l - m) / T >= ln(minP).
 */
function filter(row: Float32Array, keys: Uint32Array, order: Int32Array, p: SamplingParams): Filter {
  const n = row.length;
  const t = Math.fround(p.temperature);
  const m = row[order[0]!]!;
  const z = Float64Array.from(row, (l) => (l - m) / t);
  const topK = p.topK ?? 0;
  const kk = topK > 0 && topK < n ? keys[order[topK - 1]!]! : 0;
  let [exact, tight, loose] = [kk, kk, kk];
  const topP = Math.fround(p.topP ?? 1);
  if (topP < 1) {
    let total = 0;
    for (const i of order) if (keys[i]! >= kk) total += Math.exp(z[i]!);
    const target = topP * total;
    const band = MASS_MARGIN * total;
    let cum = 0;
    let found = 0;
    for (let j = 0; j < n && keys[order[j]!]! >= kk; j++) {
      const key = keys[order[j]!]!;
      cum += Math.exp(z[order[j]!]!);
      if (j + 1 < n && keys[order[j + 1]!] === key) continue; // finish the tie group
      loose = key;
      if (found === 0 && cum >= target - band) [tight, found] = [key, 1];
      if (found === 1 && cum >= target) [exact, found] = [key, 2];
      if (found === 2 && cum >= target + band) break;
    }
  }
  const minP = Math.fround(p.minP ?? 0);
  const logMinP = minP > 0 ? Math.log(minP) : -Infinity;
  const sets = [exact, tight, loose].map((threshold, s) => {
    const margin = [0, 1, -1][s]!;
    return Uint8Array.from(z, (zi, i) => {
      const ok = keys[i]! > NEG_INF_KEY && keys[i]! >= threshold;
      return ok && zi >= logMinP + margin * scoreMargin(zi) ? 1 : 0;
    });
  });
  return { z, exact: sets[0]!, tight: sets[1]!, loose: sets[2]! };
}

/** Reference sampling of one row of logits (f32 values, as the GPU sees them). */
export function sampleRowRef(row: Float32Array, p: SamplingParams): SampleRef {
  const keys = Uint32Array.from(row, orderKey);
  const order = byLogit(row, keys);
  const lse = logSumExp(row);
  const numTop = Math.min(p.numLogprobs ?? 0, row.length);
  const topIds = order.slice(0, numTop);
  const topLogprobs = Float64Array.from(topIds, (i) => row[i]! - lse);
  const done = (token: number, accepted: number[]): SampleRef => ({
    token,
    accepted,
    logprob: row[token]! - lse,
    topIds,
    topLogprobs,
  });
  if (Math.fround(p.temperature) < GREEDY_TEMPERATURE) return done(order[0]!, [order[0]!]);

  const f = filter(row, keys, order, p);
  const key = [p.seed % 2 ** 32, Math.floor(p.seed / 2 ** 32)];
  const bits = new Uint32Array(4);
  const score = new Float64Array(row.length).fill(-Infinity);
  let group = -1;
  for (let i = 0; i < row.length; i++) {
    if (!f.loose[i]) continue;
    if (i >>> 2 !== group) philox4x32([(group = i >>> 2), p.step, SAMPLING_SALT, 0], key, bits);
    score[i] = f.z[i]! - Math.log(exponentialFromBits(bits[i & 3]!));
  }
  let token = -1;
  let bestTight = -Infinity;
  for (let i = 0; i < row.length; i++) {
    if (f.exact[i] && (token < 0 || score[i]! > score[token]!)) token = i;
    if (f.tight[i]) bestTight = Math.max(bestTight, score[i]!);
  }
  const accepted: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (i === token || (f.loose[i] && score[i]! >= bestTight - 2 * scoreMargin(score[i]!))) accepted.push(i);
  }
  return done(token, accepted);
}

/**
 * The distribution {@link sampleRowRef} draws from: the filtered, renormalised
 * probabilities (one-hot on the argmax when greedy). For frequency tests.
 */
export function samplingProbsRef(row: Float32Array, p: SamplingParams): Float64Array {
  const keys = Uint32Array.from(row, orderKey);
  const order = byLogit(row, keys);
  const probs = new Float64Array(row.length);
  if (Math.fround(p.temperature) < GREEDY_TEMPERATURE) {
    probs[order[0]!] = 1;
    return probs;
  }
  const f = filter(row, keys, order, p);
  let total = 0;
  for (let i = 0; i < row.length; i++) total += probs[i] = f.exact[i] ? Math.exp(f.z[i]!) : 0;
  return probs.map((q) => q / total);
}
