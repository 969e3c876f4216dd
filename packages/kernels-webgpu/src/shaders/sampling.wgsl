// Sampling from logits: one workgroup per sequence. Greedy (argmax, ties to
// the lowest id) when temperature < 1e-5; otherwise top-k, top-p and min-p
// filters as thresholds on the logit order (found by sampling_search.wgsl,
// no sort) and a Gumbel-max draw from the kept tokens with Philox noise keyed
// by (seed, step), so a request's draw never depends on its batch neighbours.
// Log-probabilities are those of log_softmax(logits), before any filter.
// sampling_philox.wgsl and sampling_search.wgsl are appended to this file.
//
// Bindings (group 0):
//   0 params        uniform Params
//   1 logits        f32 [num_seqs, vocab], row-major
//   2 seqs          SeqParams [num_seqs], 8 words each (kernels/sampling/params.ts)
//   3 tokens        i32 [num_seqs]              the chosen token
//   4 logprobs      f32 [num_seqs]              its log-probability
//   5 top_ids       i32 [num_seqs, top_cols]    the num_top most likely tokens, most likely
//                                               first (ties: lower id); -1 after num_top
//   6 top_logprobs  f32 [num_seqs, top_cols]    their log-probabilities; -inf after num_top

override WG: u32 = 256u;
const GREEDY_BELOW: f32 = 1e-5;
const MAX_TOP: u32 = 20u;
const FLT_MAX: f32 = 0x1.fffffep+127f;
// Third counter word: keeps these draws apart from any other use of the seed.
const SALT: u32 = 0x73616d70u;

struct Params {
  num_seqs: u32,
  vocab: u32,
  top_cols: u32,
  // Workgroups along x; sequence = y * groups_x + x.
  groups_x: u32,
}

struct SeqParams {
  temperature: f32,
  top_k: i32,
  top_p: f32,
  min_p: f32,
  seed_lo: u32,
  seed_hi: u32,
  step: u32,
  num_top: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> seqs: array<SeqParams>;
@group(0) @binding(3) var<storage, read_write> tokens: array<i32>;
@group(0) @binding(4) var<storage, read_write> logprobs: array<f32>;
@group(0) @binding(5) var<storage, read_write> top_ids: array<i32>;
@group(0) @binding(6) var<storage, read_write> top_logprobs: array<f32>;

// The row being processed, shared by the helpers of every pass.
var<private> g_row: u32;
var<private> g_max: f32;
var<private> g_inv_t: f32;

// Reduction scratch shared by every pass (and by search()): per-thread
// columns, column c at [c * WG, (c + 1) * WG).
var<workgroup> wf: array<f32, COLS * WG>;
var<workgroup> wu: array<u32, 3 * WG>;
var<workgroup> top_count: atomic<u32>;
var<workgroup> top_key: array<u32, MAX_TOP>;
var<workgroup> top_id: array<u32, MAX_TOP>;

struct RowStats {
  max_key: u32,
  argmax: u32,
  min_key: u32,
  lse: f32,
}

fn neg_inf() -> f32 {
  var bits = 0xff800000u;
  return bitcast<f32>(bits);
}

fn logprob_of(key: u32, lse: f32) -> f32 {
  return select(neg_inf(), value_of(key) - lse, is_finite_key(key));
}

// Pass 1: the largest key and its lowest id, the smallest key, and the
// log-sum-exp of the finite logits (online max and rescaled sum).
fn row_stats(tid: u32) -> RowStats {
  var kmax = 0u;
  var arg = 0xffffffffu;
  var kmin = 0xffffffffu;
  var m = -FLT_MAX;
  var s = 0.0;
  for (var i = tid; i < params.vocab; i += WG) {
    let l = logits[g_row + i];
    let k = key_of(l);
    kmin = min(kmin, k);
    if (k > kmax) {
      kmax = k;
      arg = i;
    }
    if (is_finite_key(k)) {
      if (l > m) {
        s = s * exp(m - l) + 1.0;
        m = l;
      } else {
        s += exp(l - m);
      }
    }
  }
  wu[tid] = kmax;
  wu[WG + tid] = arg;
  wu[2u * WG + tid] = kmin;
  wf[tid] = m;
  wf[WG + tid] = s;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (tid < stride) {
      let o = tid + stride;
      if (wu[o] > wu[tid] || (wu[o] == wu[tid] && wu[WG + o] < wu[WG + tid])) {
        wu[tid] = wu[o];
        wu[WG + tid] = wu[WG + o];
      }
      wu[2u * WG + tid] = min(wu[2u * WG + tid], wu[2u * WG + o]);
      let mm = max(wf[tid], wf[o]);
      wf[WG + tid] = wf[WG + tid] * exp(wf[tid] - mm) + wf[WG + o] * exp(wf[o] - mm);
      wf[tid] = mm;
    }
  }
  workgroupBarrier();
  let stats = RowStats(wu[0], wu[WG], wu[2u * WG], wf[0] + log(wf[WG]));
  // Every thread has its copy before the scratch is reused.
  workgroupBarrier();
  return stats;
}

// Keeps tokens with key >= max(top-k, top-p thresholds) and (l - m) / T >=
// ln(min_p), then returns argmax over them of (l - m) / T - ln(E), E ~ Exp(1)
// from Philox at counter (id / 4, step, SALT, 0), word id % 4 (ties: lower id).
fn sample_token(tid: u32, sp: SeqParams, stats: RowStats) -> u32 {
  g_max = value_of(stats.max_key);
  g_inv_t = 1.0 / sp.temperature;
  var thr = stats.min_key;
  if (sp.top_k > 0 && u32(sp.top_k) < params.vocab) {
    thr = search(tid, KIND_COUNT, 0u, stats.min_key, stats.max_key, f32(sp.top_k), false).key;
  }
  if (sp.top_p < 1.0) {
    thr = search(tid, KIND_MASS, thr, thr, stats.max_key, sp.top_p, true).key;
  }
  let log_min_p = select(-FLT_MAX, log(sp.min_p), sp.min_p > 0.0);
  let seed = vec2u(sp.seed_lo, sp.seed_hi);
  var best = -FLT_MAX;
  var best_id = 0xffffffffu;
  for (var g = tid; g * 4u < params.vocab; g += WG) {
    var z = vec4f();
    var keep = 0u;
    for (var j = 0u; j < 4u; j++) {
      let i = g * 4u + j;
      if (i < params.vocab) {
        let l = logits[g_row + i];
        let k = key_of(l);
        z[j] = (l - g_max) * g_inv_t;
        keep |= u32(k >= thr && is_finite_key(k) && z[j] >= log_min_p) << j;
      }
    }
    if (keep != 0u) {
      let r = philox4x32(vec4u(g, sp.step, SALT, 0u), seed);
      for (var j = 0u; j < 4u; j++) {
        if ((keep & (1u << j)) != 0u) {
          let score = z[j] - log(exponential(r[j]));
          if (score > best) {
            best = score;
            best_id = g * 4u + j;
          }
        }
      }
    }
  }
  wf[tid] = best;
  wu[tid] = best_id;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (tid < stride) {
      let o = tid + stride;
      if (wf[o] > wf[tid] || (wf[o] == wf[tid] && wu[o] < wu[tid])) {
        wf[tid] = wf[o];
        wu[tid] = wu[o];
      }
    }
  }
  workgroupBarrier();
  let token = select(wu[0], stats.argmax, wu[0] == 0xffffffffu);
  workgroupBarrier();
  return token;
}

// The n most likely tokens: the n-th largest key by a count search, then
// (only when that key is tied past n) the lowest ids of the tie by a second
// search; the n tokens are gathered and placed by rank.
fn top_n(tid: u32, seq: u32, n: u32, stats: RowStats) {
  let f = search(tid, KIND_COUNT, 0u, stats.min_key, stats.max_key, f32(n), false);
  var id_max = 0xffffffffu;
  if (f.need < f.at) {
    id_max = ~search(tid, KIND_TIES, f.key, ~(params.vocab - 1u), 0xffffffffu, f.need, false).key;
  }
  if (tid == 0u) {
    atomicStore(&top_count, 0u);
  }
  workgroupBarrier();
  for (var i = tid; i < params.vocab; i += WG) {
    let k = key_of(logits[g_row + i]);
    if (k > f.key || (k == f.key && i <= id_max)) {
      let slot = atomicAdd(&top_count, 1u);
      if (slot < MAX_TOP) {
        top_key[slot] = k;
        top_id[slot] = i;
      }
    }
  }
  workgroupBarrier();
  if (tid < n) {
    let k = top_key[tid];
    let id = top_id[tid];
    var rank = 0u;
    for (var j = 0u; j < n; j++) {
      rank += u32(top_key[j] > k || (top_key[j] == k && top_id[j] < id));
    }
    top_ids[seq * params.top_cols + rank] = i32(id);
    top_logprobs[seq * params.top_cols + rank] = logprob_of(k, stats.lse);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let seq = wid.y * params.groups_x + wid.x;
  if (seq >= params.num_seqs) {
    return;
  }
  let sp = seqs[seq];
  g_row = seq * params.vocab;
  let stats = row_stats(tid);
  var token = stats.argmax;
  if (sp.temperature >= GREEDY_BELOW) {
    token = sample_token(tid, sp, stats);
  }
  let n = min(min(sp.num_top, params.top_cols), min(params.vocab, MAX_TOP));
  if (n > 0u) {
    top_n(tid, seq, n, stats);
  }
  if (tid == 0u) {
    tokens[seq] = i32(token);
    logprobs[seq] = logprob_of(key_of(logits[g_row + token]), stats.lse);
  }
  for (var c = n + tid; c < params.top_cols; c += WG) {
    top_ids[seq * params.top_cols + c] = -1;
    top_logprobs[seq * params.top_cols + c] = neg_inf();
  }
}
