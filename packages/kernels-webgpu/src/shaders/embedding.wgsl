// Embedding lookup: out[t, :] = table[ids[t], :]; an id outside [0, vocab)
// gives a zero row. Row t of the grid is token t, one invocation per `vec`
// (f32 or vec4f, see the prelude) of the output; dim is in elements.
//
// Bindings:
//   1 ids:   array<i32> [tokens]
//   2 table: array<u32>, [vocab, dim] row-major in the storage format FORMAT picks:
//            0 f32:  one element per word (bitcast);
//            1 f16:  two per word, element 2i in the low half;
//            2 q8_0: vocab*dim int8 quants (four per word, element 4i in the low
//                    byte), then one f16 scale per 32 elements from word vocab*dim/4.
//   3 out:   array<vec> [tokens, dim]
// The host appends `fn load_vec(e: u32) -> vec`, calling load1 or load4.

override FORMAT: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  tokens: u32,
  dim: u32,
  vocab: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec>;

// Q8_0 scale of element e's block.
fn q8_scale(e: u32) -> f32 {
  let block = e >> 5u;
  return unpack2x16float(table[params.vocab * params.dim / 4u + (block >> 1u)])[block & 1u];
}

// Element e of the flattened table.
fn load1(e: u32) -> f32 {
  if (FORMAT == 1u) {
    return unpack2x16float(table[e >> 1u])[e & 1u];
  }
  if (FORMAT == 2u) {
    return q8_scale(e) * f32(extractBits(bitcast<i32>(table[e >> 2u]), (e & 3u) * 8u, 8u));
  }
  return bitcast<f32>(table[e]);
}

// Elements e..e+3 of the flattened table, e a multiple of 4.
fn load4(e: u32) -> vec4f {
  if (FORMAT == 1u) {
    return vec4f(unpack2x16float(table[e >> 1u]), unpack2x16float(table[(e >> 1u) + 1u]));
  }
  if (FORMAT == 2u) {
    // Shifting each byte to the top and back sign-extends it.
    let q = (vec4i(bitcast<i32>(table[e >> 2u])) << vec4u(24u, 16u, 8u, 0u)) >> vec4u(24u);
    return q8_scale(e) * vec4f(q);
  }
  return bitcast<vec4f>(vec4u(table[e], table[e + 1u], table[e + 2u], table[e + 3u]));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = grid_row(gid);
  let row = params.dim / VEC;
  if (t >= params.tokens || gid.x >= row) {
    return;
  }
  let id = ids[t];
  var v = vec(0.0);
  if (id >= 0 && u32(id) < params.vocab) {
    v = load_vec(u32(id) * params.dim + gid.x * VEC);
  }
  out[t * row + gid.x] = v;
}
