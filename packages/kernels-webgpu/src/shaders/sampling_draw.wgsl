// The Gumbel-max draw: among the kept tokens, the argmax of
// (l - m) / T - ln(E), E ~ Exp(1) from Philox-4x32-10 keyed by the seed at
// counter (id / 4, step, SALT, 0), word id % 4; ties to the lower id. Kept:
// key >= the top-k and top-p thresholds and (l - m) / T >= ln(min_p).
// Appended to sampling.wgsl (no bindings of its own).

// Third counter word: keeps these draws apart from any other use of the seed.
const SALT: u32 = 0x73616d70u;

struct ListCut {
  // List entries that may be kept, and the top-k / top-p threshold.
  len: u32,
  threshold: u32,
  // False when the list cannot settle top-p (the nucleus runs past it).
  ok: bool,
}

var<workgroup> cut: ListCut;

// The workgroup's best (score, id), ties to the lower id; `fallback` when no
// thread kept anything (not reachable for valid inputs).
fn reduce_best(tid: u32, best: f32, best_id: u32, fallback: u32) -> u32 {
  wf[tid] = best;
  wu[tid] = best_id;
  for (var stride = params.half_wg; stride > 0u; stride >>= 1u) {
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
  let token = select(wu[0], fallback, wu[0] == 0xffffffffu);
  workgroupBarrier();
  return token;
}

// Thresholds over the sorted list from gather_top(), which holds every
// token above its last key: the top-k threshold is entry top_k - 1 (the list
// then holds the whole top-k set, whose mass it sums); top-p walks down the
// list by one thread (at most WG terms) to where the mass reaches top_p of
// the top-k mass, or without top-k of `total_t`, the row's (not ok if the
// list ends first). Workgroup-uniform.
fn list_cut(tid: u32, sp: SeqParams, top_k: u32, total_t: f32) -> ListCut {
  if (tid == 0u) {
    var len = list_len;
    var total = total_t;
    var c = ListCut(len, list_key[len - 1u], true);
    if (top_k > 0u) {
      c.threshold = list_key[top_k - 1u];
      len = top_k;
      while (len < list_len && list_key[len] == c.threshold) {
        len++;
      }
      c.len = len;
      total = 0.0;
      for (var j = 0u; j < len; j++) {
        total += mass(list_key[j]);
      }
    }
    if (sp.top_p < 1.0) {
      let goal = sp.top_p * total;
      var cum = 0.0;
      c.ok = false;
      for (var j = 0u; j < len; j++) {
        cum += mass(list_key[j]);
        // The threshold ends a tie group: all tokens of a logit go together.
        if (cum >= goal && (j + 1u == len || list_key[j + 1u] != list_key[j])) {
          c.threshold = list_key[j];
          c.ok = true;
          break;
        }
      }
      // With top-k the walk covers the whole total; only rounding can miss.
      c.ok = c.ok || top_k > 0u;
    }
    cut = c;
  }
  return workgroupUniformLoad(&cut);
}

// The draw over the list entries of the cut when it settled the thresholds,
// else over the row with key >= `row_threshold`: noise for four consecutive
// tokens per Philox call (one entry per call from the list).
fn draw(tid: u32, sp: SeqParams, c: ListCut, row_threshold: u32, fallback: u32) -> u32 {
  let min_z = select(-FLT_MAX, log(sp.min_p), sp.min_p > 0.0);
  let threshold = select(row_threshold, c.threshold, c.ok);
  let items = select((params.vocab + 3u) / 4u, c.len, c.ok);
  let seed = vec2u(sp.seed_lo, sp.seed_hi);
  var best = -FLT_MAX;
  var best_id = 0xffffffffu;
  for (var it = tid; it < items; it += WG) {
    var g = it;
    var z = vec4f();
    var keep = 0u;
    if (c.ok) {
      let key = list_key[it];
      let id = list_id[it];
      g = id / 4u;
      z[id % 4u] = (value_of(key) - g_max) * g_inv_t;
      keep = u32(key >= threshold && is_finite_key(key) && z[id % 4u] >= min_z) << (id % 4u);
    } else {
      for (var j = 0u; j < 4u; j++) {
        let i = g * 4u + j;
        if (i < params.vocab) {
          let l = logits[g_row + i];
          let k = key_of(l);
          z[j] = (l - g_max) * g_inv_t;
          keep |= u32(k >= threshold && is_finite_key(k) && z[j] >= min_z) << j;
        }
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
  return reduce_best(tid, best, best_id, fallback);
}
