// The top of a row in workgroup memory: a list of (key, id) sorted by key
// descending, ties by id ascending. Appended to sampling.wgsl (no bindings).

var<workgroup> list_key: array<u32, WG>;
var<workgroup> list_id: array<u32, WG>;
var<workgroup> list_fill: atomic<u32>;
var<workgroup> list_floor: atomic<u32>;
var<workgroup> list_len: u32;

// Sorts list[0, len) (len <= WG) by rank: one entry per thread, its rank the
// number of entries before it in the order; deterministic whatever order the
// entries were appended in.
fn rank_sort(tid: u32, len: u32) {
  var key = 0u;
  var id = 0u;
  var rank = 0u;
  if (tid < len) {
    key = list_key[tid];
    id = list_id[tid];
    for (var j = 0u; j < len; j++) {
      rank += u32(list_key[j] > key || (list_key[j] == key && list_id[j] < id));
    }
  }
  workgroupBarrier();
  if (tid < len) {
    list_key[rank] = key;
    list_id[rank] = id;
  }
  workgroupBarrier();
}

// Gathers every token whose key is >= the wanted-th largest of the
// per-thread maxima row_stats() left in list_key (so at least `wanted`
// tokens, usually few more) and sorts them. False, with the list unusable,
// when they do not fit in WG entries. Workgroup-uniform.
fn gather_top(tid: u32, wanted: u32) -> bool {
  if (tid == 0u) {
    atomicStore(&list_floor, 0xffffffffu);
    atomicStore(&list_fill, 0u);
  }
  workgroupBarrier();
  let mine = list_key[tid];
  var greater = 0u;
  for (var j = 0u; j < WG && greater < wanted; j++) {
    greater += u32(list_key[j] > mine);
  }
  // The maxima among the `wanted` largest; their minimum is the floor (and
  // a row no longer than the list is taken whole).
  if (greater < wanted) {
    atomicMin(&list_floor, select(mine, 0u, params.vocab <= WG));
  }
  workgroupBarrier();
  let floor = atomicLoad(&list_floor);
  for (var i = tid; i < params.vocab; i += WG) {
    let key = key_of(logits[g_row + i]);
    if (key >= floor) {
      let slot = atomicAdd(&list_fill, 1u);
      if (slot < WG) {
        list_key[slot] = key;
        list_id[slot] = i;
      }
    }
  }
  workgroupBarrier();
  if (tid == 0u) {
    list_len = atomicLoad(&list_fill);
  }
  let len = workgroupUniformLoad(&list_len);
  if (len > WG) {
    return false;
  }
  rank_sort(tid, len);
  return true;
}

fn top_from_list(tid: u32, seq: u32, n: u32, lse: f32) {
  if (tid < n) {
    top_ids[seq * params.top_cols + tid] = i32(list_id[tid]);
    top_logprobs[seq * params.top_cols + tid] = logprob_of(list_key[tid], lse);
  }
}

// Without a list: gathers the n tokens above the n-th largest key `f` or
// at it with id <= tie_id_max (see thresholds()), and sorts them.
fn gather_top_n(tid: u32, f: Found, tie_id_max: u32, n: u32) {
  if (tid == 0u) {
    atomicStore(&list_fill, 0u);
  }
  workgroupBarrier();
  for (var i = tid; i < params.vocab; i += WG) {
    let key = key_of(logits[g_row + i]);
    if (key > f.key || (key == f.key && i <= tie_id_max)) {
      let slot = atomicAdd(&list_fill, 1u);
      if (slot < WG) {
        list_key[slot] = key;
        list_id[slot] = i;
      }
    }
  }
  workgroupBarrier();
  rank_sort(tid, n);
}
