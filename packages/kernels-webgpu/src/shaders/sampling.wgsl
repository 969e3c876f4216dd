// Sampling from logits: one workgroup per sequence. Greedy (argmax, ties to
// the lowest id) when temperature < 1e-5; otherwise top-k, top-p and min-p
// filters as thresholds on the logit order and a Gumbel-max draw from the
// kept tokens with Philox noise keyed by (seed, step), so a request's draw
// never depends on its batch neighbours. Log-probabilities are those of
// log_softmax(logits), before any filter.
//
// No sort of the vocabulary. Pass 1 gives max, argmax, log-sum-exp and each
// thread's largest logit. When at most WG tokens are needed (top-k <= WG,
// top-n, or WG / 2 to try top-p alone), the needed-th largest of those
// per-thread maxima bounds the top set from below, one pass gathers that
// set (usually barely larger) into workgroup memory, sorted, and top-k,
// top-p (if its nucleus ends inside), top-n and the draw run there
// (sampling_top.wgsl, sampling_draw.wgsl). What that does not settle (large
// k, a wide nucleus, a gathered set over WG from many ties) comes from a
// multiway bisection over the row (sampling_search.wgsl), and the draw then
// runs over the row. These files and sampling_philox.wgsl are appended.
//
// Bindings (group 0):
//   0 params        uniform Params
//   1 logits        f32 [num_seqs, vocab], row-major
//   2 seqs          SeqParams [num_seqs], 8 words each (kernels/sampling/params.ts)
//   3 tokens        i32 [num_seqs]              the chosen token (read instead when keep_tokens)
//   4 logprobs      f32 [num_seqs]              its log-probability
//   5 top_ids       i32 [num_seqs, top_cols]    the num_top most likely tokens, most likely
//                                               first (ties: lower id); -1 after num_top
//   6 top_logprobs  f32 [num_seqs, top_cols]    their log-probabilities; -inf after num_top

override WG: u32 = 256u;
const GREEDY_BELOW: f32 = 1e-5;
const MAX_TOP: u32 = 20u;
const FLT_MAX: f32 = 0x1.fffffep+127f;

struct Params {
  num_seqs: u32,
  vocab: u32,
  top_cols: u32,
  // Workgroups along x; sequence = y * groups_x + x.
  groups_x: u32,
  // WG / 2, the first stride of every reduction tree. A run-time value keeps
  // the trees loops: unrolled, their barriers make lavapipe's JIT compile
  // (LLVM coroutines) take tens of seconds instead of well under one.
  half_wg: u32,
  // 1: every row's token is the one already in `tokens` (an earlier pass drew it from
  // adjusted logits); this pass only gives its log-probability and the top-n under these.
  keep_tokens: u32,
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

// Reduction scratch shared by every pass: per-thread columns, column c at
// [c * WG, (c + 1) * WG).
var<workgroup> wf: array<f32, NB * WG>;
var<workgroup> wu: array<u32, 3 * WG>;

struct RowStats {
  max_key: u32,
  argmax: u32,
  min_key: u32,
  lse: f32,
  // sum of exp((l - max) / T) over the row, when asked for (else 0).
  total_t: f32,
}

// Orders floats as unsigned integers: key(a) < key(b) iff a < b (and -0 < +0).
fn key_of(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  return select(b | 0x80000000u, ~b, (b >> 31u) != 0u);
}

fn value_of(key: u32) -> f32 {
  return bitcast<f32>(select(~key, key & 0x7fffffffu, (key >> 31u) != 0u));
}

// -inf has key 0x007fffff; +inf and NaN are not supported inputs.
fn is_finite_key(key: u32) -> bool {
  return key > 0x007fffffu;
}

fn neg_inf() -> f32 {
  var bits = 0xff800000u;
  return bitcast<f32>(bits);
}

fn logprob_of(key: u32, lse: f32) -> f32 {
  return select(neg_inf(), value_of(key) - lse, is_finite_key(key));
}

// Unnormalised probability after temperature: exp((l - max) / T).
fn mass(key: u32) -> f32 {
  return select(0.0, exp((value_of(key) - g_max) * g_inv_t), is_finite_key(key));
}

// Pass 1: the largest key and its lowest id, the smallest key, and the
// log-sum-exp of the finite logits (online max and rescaled sums; also at
// temperature when `with_t`). Leaves each thread's largest key in
// list_key[tid] for gather_top().
fn row_stats(tid: u32, with_t: bool) -> RowStats {
  var kmax = 0u;
  var arg = 0xffffffffu;
  var kmin = 0xffffffffu;
  var m = -FLT_MAX;
  var s = 0.0;
  var s_t = 0.0;
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
        if (with_t) {
          s_t = s_t * exp((m - l) * g_inv_t) + 1.0;
        }
        m = l;
      } else {
        s += exp(l - m);
        if (with_t) {
          s_t += exp((l - m) * g_inv_t);
        }
      }
    }
  }
  list_key[tid] = kmax;
  wu[tid] = kmax;
  wu[WG + tid] = arg;
  wu[2u * WG + tid] = kmin;
  wf[tid] = m;
  wf[WG + tid] = s;
  wf[2u * WG + tid] = s_t;
  for (var stride = params.half_wg; stride > 0u; stride >>= 1u) {
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
      if (with_t) {
        let t = 2u * WG + tid;
        wf[t] = wf[t] * exp((wf[tid] - mm) * g_inv_t) + wf[t + stride] * exp((wf[o] - mm) * g_inv_t);
      }
      wf[tid] = mm;
    }
  }
  workgroupBarrier();
  let stats = RowStats(wu[0], wu[WG], wu[2u * WG], wf[0] + log(wf[WG]), wf[2u * WG]);
  // Every thread has its copy before the scratch is reused.
  workgroupBarrier();
  return stats;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let seq = wid.y * params.groups_x + wid.x;
  if (seq >= params.num_seqs) {
    return;
  }
  let sp = seqs[seq];
  g_row = seq * params.vocab;
  g_inv_t = 1.0 / sp.temperature;
  let keep = params.keep_tokens != 0u;
  let sampling = !keep && sp.temperature >= GREEDY_BELOW;
  let top_k = select(0u, u32(sp.top_k), sp.top_k > 0 && u32(sp.top_k) < params.vocab);
  // Top-p alone: a list of the top WG / 2 or so usually holds the nucleus,
  // which the row total at temperature tells.
  let top_p_only = sampling && top_k == 0u && sp.top_p < 1.0;
  let stats = row_stats(tid, top_p_only);
  g_max = value_of(stats.max_key);
  let n = min(min(sp.num_top, params.top_cols), min(params.vocab, MAX_TOP));
  let sample_want = select(select(0u, WG / 2u, top_p_only), top_k, top_k > 0u);
  let sample_listed = sampling && sample_want > 0u && sample_want <= WG;
  let wanted = max(select(0u, sample_want, sample_listed), n);
  var listed = false;
  if (wanted > 0u) {
    listed = gather_top(tid, wanted);
  }
  var c = ListCut(0u, 0u, false);
  if (sample_listed && listed) {
    c = list_cut(tid, sp, top_k, stats.total_t);
  }
  // Whatever the list did not settle is searched for over the row.
  let by_row = sampling && !c.ok;
  let needs = Needs(by_row && top_k > 0u, by_row && (sp.top_p < 1.0), n > 0u && !listed);
  let t = thresholds(tid, sp, stats, top_k, n, needs);
  var token = stats.argmax;
  if (sampling) {
    token = draw(tid, sp, c, t.sample, stats.argmax);
  }
  if (needs.top_n) {
    gather_top_n(tid, t.top_n, t.tie_id_max, n);
  }
  if (n > 0u) {
    top_from_list(tid, seq, n, stats.lse);
  }
  if (keep) {
    token = u32(tokens[seq]);
  }
  if (tid == 0u) {
    tokens[seq] = i32(token);
    logprobs[seq] = logprob_of(key_of(logits[g_row + token]), stats.lse);
  }
  for (var col = n + tid; col < params.top_cols; col += WG) {
    top_ids[seq * params.top_cols + col] = -1;
    top_logprobs[seq * params.top_cols + col] = neg_inf();
  }
}
