// Paged attention over a packed, variable-length batch: one workgroup per
// (query tile, kv head and share of its query heads, context chunk). A tile
// is TILE_TOKENS consecutive query tokens of one sequence times HEADS of the
// GROUP query heads sharing the kv head: ROWS query rows that read each key
// and value once.
// Each of the WG lanes owns the keys k0 + lane, k0 + lane + WG, ... of the
// workgroup's key range and keeps its own online softmax (running max, sum
// and output) per row; the lanes' states are merged in workgroup memory at
// the end. Every cached element is read once per tile, with no barrier or
// cross-lane step per key (lavapipe's cost model: memory instructions and
// barriers are expensive, registers are cheap). The host keeps ROWS * HEAD_DIM
// small enough that the per-row loops unroll and the rows stay in registers.
// Variants (`const`s from the host):
//   SINGLE = true: sequences with one query token (decode); workgroup x is the
//     sequence, z the chunk of its context (split when num_chunks > 1, the
//     result then goes to `partials` for attention_merge.wgsl).
//   SINGLE = false: sequences with more query tokens; workgroup x is a tile,
//     z is 1 and the whole causal context is one chunk.
// Bindings (see also attention_common.wgsl):
//   1 q             f32 [num_tokens, num_kv_heads * GROUP, HEAD_DIM]
//   2 k_cache       f32 [num_blocks, num_kv_heads, block_size, HEAD_DIM]
//   3 v_cache       f32 [num_blocks, num_kv_heads, block_size, HEAD_DIM]
//   6 block_tables  i32 [num_seqs, table_stride]: physical block of each logical block
//   7 out           f32 [num_tokens, num_kv_heads * GROUP, HEAD_DIM]

@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k_cache: array<vec4f>;
@group(0) @binding(3) var<storage, read> v_cache: array<vec4f>;
@group(0) @binding(6) var<storage, read> block_tables: array<i32>;
@group(0) @binding(7) var<storage, read_write> out: array<vec4f>;

const ROWS = TILE_TOKENS * HEADS;

// Per-lane merge buffers: each lane's (max, sum) and scaled output of one row.
var<workgroup> lane_stats: array<vec2f, WG>;
var<workgroup> lane_acc: array<vec4f, WG * D4>;

struct Tile {
  seq: u32,
  // Packed row of the tile's first query token, and its position in the sequence.
  first_token: u32,
  first_pos: u32,
  num_tokens: u32,
  // Keys [key_begin, key_end) of this workgroup's chunk.
  key_begin: u32,
  key_end: u32,
  // Whether the sequence's context is split (the result goes to `partials`).
  split: bool,
}

// The tile of workgroup (x, z), or num_tokens == 0 when it has none.
fn locate(x: u32, z: u32) -> Tile {
  if (SINGLE) {
    let start = u32(query_start[x]);
    let ctx = u32(context_lens[x]);
    let live = u32(query_start[x + 1u]) - start == 1u && z < num_chunks(ctx);
    let keys = chunk_keys(ctx);
    return Tile(x, start, ctx - 1u, select(0u, 1u, live), z * keys, min(z * keys + keys, ctx), keys < ctx);
  }
  // Tiles of sequence s start at s + query_start[s] / TILE_TOKENS: strictly
  // increasing, and leaving every sequence room for its ceil(n / TILE_TOKENS).
  var lo = 0u;
  var hi = params.num_seqs - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (mid + u32(query_start[mid]) / TILE_TOKENS <= x) {
      lo = mid;
    } else {
      hi = mid - 1u;
    }
  }
  let start = u32(query_start[lo]);
  let n = u32(query_start[lo + 1u]) - start;
  let first = (x - lo - start / TILE_TOKENS) * TILE_TOKENS;
  let ctx = u32(context_lens[lo]);
  let count = select(0u, min(TILE_TOKENS, n - first), n > 1u && first < n);
  let first_pos = ctx - n + first;
  return Tile(lo, start + first, first_pos, count, 0u, first_pos + count, false);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32) {
  let tile = locate(wid.x, wid.z);
  if (tile.num_tokens == 0u) {
    return;
  }
  let kv_head = wid.y / (GROUP / HEADS);
  let first_head = wid.y % (GROUP / HEADS) * HEADS;
  let num_heads = params.num_kv_heads * GROUP;

  // Row r is token r / HEADS of the tile (clamped, so spare rows of a short
  // tile repeat its last token and are never stored) and head r % HEADS of
  // this workgroup's share of the group.
  var qr: array<array<vec4f, D4>, ROWS>;
  var acc: array<array<vec4f, D4>, ROWS>;
  var m: array<f32, ROWS>;
  var l: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    let token = tile.first_token + min(r / HEADS, tile.num_tokens - 1u);
    let base = (token * num_heads + kv_head * GROUP + first_head + r % HEADS) * D4;
    for (var i = 0u; i < D4; i++) {
      qr[r][i] = q[base + i] * params.scale_log2e;
      acc[r][i] = vec4f(0.0);
    }
    m[r] = NEG_BIG;
    l[r] = 0.0;
  }

  let table = tile.seq * params.table_stride;
  let bs = params.block_size;
  let steps = (tile.key_end - tile.key_begin + WG - 1u) / WG;
  for (var step = 0u; step < steps; step++) {
    let key_raw = tile.key_begin + step * WG + lane;
    let in_range = key_raw < tile.key_end;
    let key = min(key_raw, tile.key_end - 1u);
    let block = u32(block_tables[table + key / bs]);
    let base = ((block * params.num_kv_heads + kv_head) * bs + key % bs) * D4;

    // Zeroed explicitly: Dawn on lavapipe does not re-zero a loop-local
    // `var` without an initialiser on every iteration.
    var dots: array<f32, ROWS>;
    for (var r = 0u; r < ROWS; r++) {
      dots[r] = 0.0;
    }
    for (var i = 0u; i < D4; i++) {
      let k = k_cache[base + i];
      for (var r = 0u; r < ROWS; r++) {
        dots[r] += dot(qr[r][i], k);
      }
    }
    var scale: array<f32, ROWS>;
    var weight: array<f32, ROWS>;
    var rescale = false;
    for (var r = 0u; r < ROWS; r++) {
      // Causal: row r sits at position first_pos + r / HEADS.
      let live = in_range && key <= tile.first_pos + r / HEADS;
      let m_new = select(m[r], max(m[r], dots[r]), live);
      scale[r] = exp2(m[r] - m_new);
      weight[r] = select(0.0, exp2(dots[r] - m_new), live);
      l[r] = l[r] * scale[r] + weight[r];
      rescale = rescale || m_new > m[r];
      m[r] = m_new;
    }
    // The running max rarely moves after the first keys, so the output is
    // rescaled only when it does: this keeps the loops below small enough
    // for the shader compiler to unroll (and the rows in registers).
    if (rescale) {
      for (var i = 0u; i < D4; i++) {
        for (var r = 0u; r < ROWS; r++) {
          acc[r][i] *= scale[r];
        }
      }
    }
    for (var i = 0u; i < D4; i++) {
      let v = v_cache[base + i];
      for (var r = 0u; r < ROWS; r++) {
        acc[r][i] += weight[r] * v;
      }
    }
  }

  // Merge the lanes' states row by row, in a fixed lane order.
  for (var r = 0u; r < ROWS; r++) {
    let token_in_tile = r / HEADS;
    lane_stats[lane] = vec2f(m[r], l[r]);
    workgroupBarrier();
    var m_all = NEG_BIG;
    for (var j = 0u; j < WG; j++) {
      m_all = max(m_all, lane_stats[j].x);
    }
    var l_all = 0.0;
    for (var j = 0u; j < WG; j++) {
      l_all += lane_stats[j].y * exp2(lane_stats[j].x - m_all);
    }
    let own = exp2(m[r] - m_all);
    for (var i = 0u; i < D4; i++) {
      lane_acc[lane * D4 + i] = acc[r][i] * own;
    }
    workgroupBarrier();
    if (token_in_tile < tile.num_tokens) {
      let g = first_head + r % HEADS;
      let out_base = ((tile.first_token + token_in_tile) * num_heads + kv_head * GROUP + g) * D4;
      let part = partial_base(tile.seq, kv_head, wid.z, g);
      for (var i = lane; i < D4; i += WG) {
        var sum = vec4f(0.0);
        for (var j = 0u; j < WG; j++) {
          sum += lane_acc[j * D4 + i];
        }
        if (tile.split) {
          partials[part + i] = sum;
        } else {
          out[out_base + i] = sum / l_all;
        }
      }
      if (tile.split && lane == 0u) {
        partials[part + D4] = vec4f(m_all, l_all, 0.0, 0.0);
      }
    }
    workgroupBarrier();
  }
}
