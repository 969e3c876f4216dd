// Paged KV-cache write: token t's keys and values go to slot slots[t] of the
// caches (block slot / block_size, offset slot % block_size); a slot outside
// [0, num_slots), e.g. -1 for padding, is skipped. Written over `vec` (f32 or
// vec4f, see the prelude); head_dim is in vecs. Row t of the grid is token t,
// one invocation per vec of k (and the same vec of v).
//
// Bindings:
//   1 k:       array<vec> [tokens, n_kv_heads, head_dim]
//   2 v:       array<vec> [tokens, n_kv_heads, head_dim]
//   3 slots:   array<i32> [tokens]
//   4 k_cache: array<vec> [num_blocks, n_kv_heads, block_size, head_dim]
//   5 v_cache: array<vec> [num_blocks, n_kv_heads, block_size, head_dim]

override WG: u32 = 256u;

struct Params {
  tokens: u32,
  n_kv_heads: u32,
  head_dim: u32,
  block_size: u32,
  num_slots: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> k: array<vec>;
@group(0) @binding(2) var<storage, read> v: array<vec>;
@group(0) @binding(3) var<storage, read> slots: array<i32>;
@group(0) @binding(4) var<storage, read_write> k_cache: array<vec>;
@group(0) @binding(5) var<storage, read_write> v_cache: array<vec>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = grid_row(gid);
  let row = params.n_kv_heads * params.head_dim;
  if (t >= params.tokens || gid.x >= row) {
    return;
  }
  let slot = slots[t];
  if (slot < 0 || u32(slot) >= params.num_slots) {
    return;
  }
  let head = gid.x / params.head_dim;
  let block = u32(slot) / params.block_size;
  let offset = u32(slot) - block * params.block_size;
  let dst = ((block * params.n_kv_heads + head) * params.block_size + offset) * params.head_dim
    + (gid.x - head * params.head_dim);
  let src = t * row + gid.x;
  k_cache[dst] = k[src];
  v_cache[dst] = v[src];
}
