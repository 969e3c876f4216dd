// Embedding lookup: out[t, j] = table[ids[t], j]; an id outside [0, vocab)
// gives a zero row. One invocation per output element.
//
// Bindings:
//   1 ids:   array<i32> [tokens]
//   2 table: array<u32>, [vocab, dim] row-major in the storage format FORMAT picks:
//            0 f32:  one element per word (bitcast);
//            1 f16:  two per word, element 2i in the low half;
//            2 q8_0: vocab*dim int8 quants (four per word, element 4i in the low
//                    byte), then one f16 scale per 32 elements from word vocab*dim/4.
//   3 out:   array<f32> [tokens, dim]

override FORMAT: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  tokens: u32,
  dim: u32,
  vocab: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Element e of the flattened table.
fn load(e: u32) -> f32 {
  if (FORMAT == 1u) {
    return unpack2x16float(table[e >> 1u])[e & 1u];
  }
  if (FORMAT == 2u) {
    let q = extractBits(bitcast<i32>(table[e >> 2u]), (e & 3u) * 8u, 8u); // sign-extends
    let block = e >> 5u;
    let scale = unpack2x16float(table[params.vocab * params.dim / 4u + (block >> 1u)])[block & 1u];
    return scale * f32(q);
  }
  return bitcast<f32>(table[e]);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * params.groups_x * WG + gid.x;
  if (i >= params.tokens * params.dim) {
    return;
  }
  let t = i / params.dim;
  let id = ids[t];
  var v = 0.0;
  if (id >= 0 && u32(id) < params.vocab) {
    v = load(u32(id) * params.dim + (i - t * params.dim));
  }
  out[i] = v;
}
