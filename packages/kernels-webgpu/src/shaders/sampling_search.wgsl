// Threshold search for sampling: the largest coordinate C such that the
// eligible elements of a logits row with coordinate >= C weigh at least a
// goal, found by multiway bisection (NB buckets a round, each round one pass
// over the row) instead of a sort. No bindings of its own: it is appended to
// sampling.wgsl and uses its `logits`, row globals and scratch `wf`, `wu`.
//
// Kinds of search (weights are f32; counts stay exact below 2^24):
//   KIND_COUNT  coordinate = order key of the logit, weight 1       (top-k, top-n)
//   KIND_MASS   coordinate = order key, weight exp((l - m) / T),
//               only keys >= aux (the top-k threshold)              (top-p)
//   KIND_TIES   coordinate = ~id, weight 1, only keys == aux        (lowest ids of a tie)

const NB: u32 = 16u;
const KIND_COUNT: u32 = 0u;
const KIND_MASS: u32 = 1u;
const KIND_TIES: u32 = 2u;

struct SearchState {
  lo: u32,
  hi: u32,
  // Weight of the eligible elements above hi, carried from round to round
  // so that later rounds skip them (no exp, no bucket work).
  above: f32,
  goal: f32,
  // The first round turns a relative goal into goal * total weight.
  relative: u32,
  done: u32,
  // This round's pick, and what a Found ending there would hold.
  bucket: u32,
  need: f32,
  at: f32,
}

// A search result: the threshold, the weight still needed once everything
// above it is taken, and the weight of the elements exactly at it.
struct Found {
  key: u32,
  need: f32,
  at: f32,
}

struct Query {
  kind: u32,
  aux: u32,
  lo: u32,
  hi: u32,
  goal: f32,
  relative: bool,
}

// Which thresholds must come from a search over the row.
struct Needs {
  top_k: bool,
  top_p: bool,
  top_n: bool,
}

struct Thresholds {
  // Keys below it are not sampled (top-k and top-p).
  sample: u32,
  // The n-th largest key, and the largest id taken from its tie.
  top_n: Found,
  tie_id_max: u32,
}

var<workgroup> st: SearchState;
var<workgroup> found: Found;

// Sums the NB columns of wf over the workgroup into wf[c * WG].
fn reduce_columns(tid: u32) {
  for (var stride = params.half_wg; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    for (var j = tid; j < NB * stride; j += WG) {
      let c = j / stride;
      let t = c * WG + j - c * stride;
      wf[t] += wf[t + stride];
    }
  }
  workgroupBarrier();
}

// Min of wu[0, WG) into wu[0], max of wu[WG, 2 WG) into wu[WG].
fn reduce_min_max(tid: u32) {
  for (var stride = params.half_wg; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (tid < stride) {
      wu[tid] = min(wu[tid], wu[tid + stride]);
      wu[WG + tid] = max(wu[WG + tid], wu[WG + tid + stride]);
    }
  }
  workgroupBarrier();
}

// Thread 0: the highest of the `used` buckets whose cumulative weight
// (above + wf column b: everything eligible in bucket b or higher) reaches
// the goal; what lies above it is carried to the next round.
fn pick_bucket(used: u32) {
  if (st.relative != 0u) {
    st.goal *= st.above + wf[0];
    st.relative = 0u;
  }
  var b = 0u;
  for (var j = used - 1u; j > 0u; j--) {
    if (st.above + wf[j * WG] >= st.goal) {
      b = j;
      break;
    }
  }
  let higher = select(0.0, wf[(b + 1u) * WG], b + 1u < NB);
  st.bucket = b;
  st.need = st.goal - (st.above + higher);
  st.at = wf[b * WG] - higher;
  st.above += higher;
}

// Thread 0: finishes on a single coordinate (or a count filled exactly by
// the bucket), else narrows to the bucket's [min, max] (relative to lo).
fn narrow(kind: u32, rel_min: u32, rel_max: u32) {
  let lo = st.lo + rel_min;
  if (rel_min == rel_max || (kind != KIND_MASS && st.need == st.at)) {
    st.done = 1u;
    found = Found(lo, st.need, st.at);
  } else {
    st.lo = lo;
    st.hi = st.lo + rel_max - rel_min;
  }
}

// The largest coordinate C in [q.lo, q.hi] such that the eligible elements
// with coordinate >= C weigh >= goal (>= goal * total when `relative`),
// given that those above q.hi weigh less. Each round is one pass over the
// row: for the elements inside the interval, cumulative weights, minima and
// maxima per bucket of 2^shift coordinates, in registers (statically
// indexed: a dynamic index would send the arrays to memory); then the
// interval shrinks to the picked bucket's [min, max]. Rounding can leave a
// later round short of the goal by an ulp: it then takes its lowest bucket,
// a threshold within rounding of the exact one. Workgroup-uniform; uses wf
// and wu as scratch.
fn search(tid: u32, q: Query) -> Found {
  if (tid == 0u) {
    st = SearchState(q.lo, q.hi, 0.0, q.goal, u32(q.relative), 0u, 0u, 0.0, 0.0);
  }
  loop {
    let s = workgroupUniformLoad(&st);
    if (s.done != 0u) {
      break;
    }
    let range = s.hi - s.lo;
    let shift = max(32u - countLeadingZeros(range), 4u) - 4u;
    // Set explicitly: on lavapipe a loop-local array declared without an
    // initializer kept the previous round's values.
    var cw: array<f32, NB>;
    var mn: array<u32, NB>;
    var mx: array<u32, NB>;
    for (var b = 0u; b < NB; b++) {
      cw[b] = 0.0;
      mn[b] = 0xffffffffu;
      mx[b] = 0u;
    }
    for (var i = tid; i < params.vocab; i += WG) {
      let key = key_of(logits[g_row + i]);
      var coord = key;
      var eligible = true;
      if (q.kind == KIND_MASS) {
        eligible = key >= q.aux;
      } else if (q.kind == KIND_TIES) {
        eligible = key == q.aux;
        coord = ~i;
      }
      if (!eligible || coord < s.lo || coord > s.hi) {
        continue;
      }
      var w = 1.0;
      if (q.kind == KIND_MASS) {
        w = mass(key);
      }
      let rel = coord - s.lo;
      // Compared against every bucket so that all indexing is static.
      let bk = rel >> shift;
      for (var b = 0u; b < NB; b++) {
        cw[b] += select(0.0, w, bk >= b);
        mn[b] = min(mn[b], select(0xffffffffu, rel, bk >= b));
        mx[b] = max(mx[b], select(0u, rel, bk <= b));
      }
    }
    for (var b = 0u; b < NB; b++) {
      wf[b * WG + tid] = cw[b];
    }
    reduce_columns(tid);
    if (tid == 0u) {
      pick_bucket((range >> shift) + 1u);
    }
    // Only the picked bucket's min and max are reduced: for a non-empty
    // bucket b, min over buckets >= b and max over buckets <= b are its own.
    let picked = workgroupUniformLoad(&st.bucket);
    for (var b = 0u; b < NB; b++) {
      if (b == picked) {
        wu[tid] = mn[b];
        wu[WG + tid] = mx[b];
      }
    }
    reduce_min_max(tid);
    if (tid == 0u) {
      narrow(q.kind, wu[0], wu[WG]);
    }
  }
  return workgroupUniformLoad(&found);
}

// Runs the searches `needs` asks for, in order: top-k (count), top-p (mass
// over the top-k set), top-n (count) and, when the n-th key is tied past n,
// the lowest ids of its tie. One call site for search(): the shader is
// JIT-compiled on the CPU by lavapipe, where every inlined copy costs
// seconds. Workgroup-uniform.
fn thresholds(tid: u32, sp: SeqParams, stats: RowStats, top_k: u32, n: u32, needs: Needs) -> Thresholds {
  // Separate variables: control flow may depend only on uniform ones.
  var sample = stats.min_key;
  var top_n = Found(0u, 0.0, 0.0);
  var tie_id_max = 0xffffffffu;
  var step = 0u;
  loop {
    if (step == 0u && !needs.top_k) {
      step = 1u;
    }
    if (step == 1u && !needs.top_p) {
      step = 2u;
    }
    if ((step == 2u && !needs.top_n) || (step == 3u && top_n.need >= top_n.at)) {
      step = 4u;
    }
    if (step >= 4u) {
      break;
    }
    var q = Query(KIND_COUNT, 0u, stats.min_key, stats.max_key, f32(top_k), false);
    if (step == 1u) {
      q = Query(KIND_MASS, sample, sample, stats.max_key, sp.top_p, true);
    } else if (step == 2u) {
      q.goal = f32(n);
    } else if (step == 3u) {
      q = Query(KIND_TIES, top_n.key, ~(params.vocab - 1u), 0xffffffffu, top_n.need, false);
    }
    let f = search(tid, q);
    if (step < 2u) {
      sample = f.key;
    } else if (step == 2u) {
      top_n = f;
    } else {
      tie_id_max = ~f.key;
    }
    step++;
  }
  return Thresholds(sample, top_n, tie_id_max);
}
