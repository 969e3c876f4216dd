// Paged attention, the part both attention bodies share: composed after
// attention_common.wgsl and before attention_keys.wgsl or attention_dims.wgsl.
// One workgroup per (query tile, kv head and share of its query heads,
// context chunk). A tile is TILE_TOKENS consecutive query tokens of one
// sequence times HEADS of the GROUP query heads sharing the kv head: ROWS
// query rows that read each key and value once.
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

// First vec4 of the cached row of `key` of the sequence's kv head.
fn cache_row(seq: u32, key: u32, kv_head: u32) -> u32 {
  let bs = params.block_size;
  // Block sizes are powers of two in practice: shifts are far cheaper than
  // the per-lane integer division a CPU backend falls back to.
  var logical = 0u;
  var offset = 0u;
  if ((bs & (bs - 1u)) == 0u) {
    logical = key >> countTrailingZeros(bs);
    offset = key & (bs - 1u);
  } else {
    logical = key / bs;
    offset = key % bs;
  }
  let block = u32(block_tables[seq * params.table_stride + logical]);
  return ((block * params.num_kv_heads + kv_head) * bs + offset) * D4;
}

// Query head of row r: token r / HEADS of the tile (clamped, so spare rows of
// a short tile repeat its last token and are never stored), head r % HEADS of
// this workgroup's share of the kv head's group.
fn row_head(r: u32, share: u32) -> u32 {
  let kv_head = share / (GROUP / HEADS);
  return kv_head * GROUP + share % (GROUP / HEADS) * HEADS + r % HEADS;
}

// First vec4 of row r's query, and of its output.
fn row_base(tile: Tile, r: u32, share: u32) -> u32 {
  let token = tile.first_token + min(r / HEADS, tile.num_tokens - 1u);
  return (token * params.num_kv_heads * GROUP + row_head(r, share)) * D4;
}
