// Paged KV-cache write: token t's keys and values go to slot slots[t] of the
// caches (block slot / block_size, offset slot % block_size); a slot outside
// [0, num_slots), e.g. -1 for padding, is skipped. One invocation per element
// of k (and the same element of v).
//
// Bindings:
//   1 k:       array<f32> [tokens, n_kv_heads, head_dim]
//   2 v:       array<f32> [tokens, n_kv_heads, head_dim]
//   3 slots:   array<i32> [tokens]
//   4 k_cache: array<f32> [num_blocks, n_kv_heads, block_size, head_dim]
//   5 v_cache: array<f32> [num_blocks, n_kv_heads, block_size, head_dim]

override WG: u32 = 256u;

struct Params {
  tokens: u32,
  n_kv_heads: u32,
  head_dim: u32,
  block_size: u32,
  num_slots: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> slots: array<i32>;
@group(0) @binding(4) var<storage, read_write> k_cache: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_cache: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * params.groups_x * WG + gid.x;
  let row = params.n_kv_heads * params.head_dim;
  if (i >= params.tokens * row) {
    return;
  }
  let t = i / row;
  let slot = slots[t];
  if (slot < 0 || u32(slot) >= params.num_slots) {
    return;
  }
  let hd = i - t * row; // head * head_dim + d
  let head = hd / params.head_dim;
  let block = u32(slot) / params.block_size;
  let offset = u32(slot) - block * params.block_size;
  let dst = ((block * params.n_kv_heads + head) * params.block_size + offset) * params.head_dim
    + (hd - head * params.head_dim);
  k_cache[dst] = k[i];
  v_cache[dst] = v[i];
}
