// Paged attention, shared part: composed (see kernels/attention/pipelines.ts)
// after the host's `const` specialisations (HEAD_DIM, GROUP, HEADS,
// TILE_TOKENS, WG, DL, KEYS_PER_STEP, SINGLE) and before attention_merge.wgsl
// or attention_tile.wgsl and an attention body.
// Bindings shared by both kernels:
//   0 params         uniform Params
//   4 query_start    i32 [num_seqs + 1]: sequence s owns query rows query_start[s]..query_start[s+1]-1
//   5 context_lens   i32 [num_seqs]: tokens of s after this step, its new ones included
//   8 partials       f32 scratch of the split path: one record of D4 + 1 vec4 per
//                    (seq, kv head, chunk slot, head in group): the chunk's
//                    unnormalised output, then (max, sum, 0, 0) of its scores

struct Params {
  num_seqs: u32,
  num_kv_heads: u32,
  block_size: u32,
  // Row stride of block_tables (its padded width).
  table_stride: u32,
  // Softmax scale times log2(e): scores are exponentiated with exp2.
  scale_log2e: f32,
  // Split rule: keys per chunk before the chunk cap applies, and the cap.
  chunk_len: u32,
  max_split: u32,
  // Chunk slots per (seq, kv head) in `partials` (the split grid's depth).
  chunk_slots: u32,
  // KEYS_PER_STEP again, as a value the compiler cannot see: loops bounded by
  // it stay loops (lavapipe spends tens of ms compiling each unrolled load).
  keys_per_step: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> query_start: array<i32>;
@group(0) @binding(5) var<storage, read> context_lens: array<i32>;
@group(0) @binding(8) var<storage, read_write> partials: array<vec4f>;

const D4 = HEAD_DIM / 4u;
// Below any real score, yet finite so that exp2(m - m) stays 1.
const NEG_BIG = -3.0e38;

// Keys per chunk of a single-token sequence with `context_len` keys: a
// function of the sequence alone, so its result never depends on the batch.
// Rounded to whole steps of the key loop so that only the last chunk is ragged.
fn chunk_keys(context_len: u32) -> u32 {
  let chunks = min(params.max_split, (context_len + params.chunk_len - 1u) / params.chunk_len);
  let per = (context_len + chunks - 1u) / chunks;
  return (per + KEYS_PER_STEP - 1u) / KEYS_PER_STEP * KEYS_PER_STEP;
}

fn num_chunks(context_len: u32) -> u32 {
  let keys = chunk_keys(context_len);
  return (context_len + keys - 1u) / keys;
}

// First vec4 of the partial record of (seq, kv head, chunk, head in group).
fn partial_base(seq: u32, kv_head: u32, chunk: u32, g: u32) -> u32 {
  let record = ((seq * params.num_kv_heads + kv_head) * params.chunk_slots + chunk) * GROUP + g;
  return record * (D4 + 1u);
}
