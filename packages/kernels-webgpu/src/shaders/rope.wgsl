// Rotary position embedding, in place on q and k. Pair i of a head (i <
// rope_dim / 2) turns by positions[t] * base^(-2i / rope_dim) radians; the
// head's dimensions from rope_dim on are left as they are.
// Pair layout (NEOX): false = adjacent (x[2i], x[2i+1]), GGUF llama / llama2.c;
// true = split halves (x[i], x[i + rope_dim/2]), GPT-NeoX / Qwen2.
// Written over `vec` (f32 or vec4f, see the prelude) with the lane helpers of
// rope_lanes1/4.wgsl: an invocation rotates VEC pairs (VEC consecutive i) in
// every q and k head. Row t of the grid is token t. head_dim and half_rot
// (rope_dim / 2) are in vecs.
//
// Bindings:
//   1 q:         array<vec> [tokens, n_heads, head_dim], rotated in place
//   2 k:         array<vec> [tokens, n_kv_heads, head_dim], rotated in place
//   3 positions: array<i32> [tokens], each in [0, 2^20)
//   4 freqs:     array<uvec> [2, rope_dim / 2]: pair i's frequency in turns per
//                position as 44-bit fixed point, bits 12..43 in row 0 and
//                bits 0..11 in row 1.

override NEOX: bool = false;
override WG: u32 = 64u;

struct Params {
  tokens: u32,
  n_heads: u32,
  n_kv_heads: u32,
  head_dim: u32,
  half_rot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> q: array<vec>;
@group(0) @binding(2) var<storage, read_write> k: array<vec>;
@group(0) @binding(3) var<storage, read> positions: array<i32>;
@group(0) @binding(4) var<storage, read> freqs: array<uvec>;

const TAU_OVER_2_32: f32 = 6.283185307179586 / 4294967296.0;

// New (x[a], x[b]) for the pairs in x[a], x[b] turned by angles with cos c, sin s.
fn rotate(u: vec, w: vec, c: vec, s: vec) -> array<vec, 2> {
  var x = array(u, w);
  if (!NEOX) {
    x = deinterleave(u, w);
  }
  let r = array(x[0] * c - x[1] * s, x[0] * s + x[1] * c);
  if (!NEOX) {
    return interleave(r[0], r[1]);
  }
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = grid_row(gid);
  let i = gid.x;
  if (t >= params.tokens || i >= params.half_rot) {
    return;
  }

  // frac(pos * freq) in units of 2^-32 turns, exactly up to the truncated low
  // bits: u32 products wrap, which drops the whole turns. As an i32 it is the
  // angle in [-1/2, 1/2) turns, so sin/cos see [-pi, pi) at any position.
  let pos = u32(positions[t]);
  let turns = pos * freqs[i] + ((pos * freqs[params.half_rot + i]) >> uvec(12u));
  let angle = vec(bitcast<ivec>(turns)) * TAU_OVER_2_32;
  let c = cos(angle);
  let s = sin(angle);

  var a = 2u * i;
  var b = a + 1u;
  if (NEOX) {
    a = i;
    b = i + params.half_rot;
  }
  for (var h = 0u; h < params.n_heads; h++) {
    let base = (t * params.n_heads + h) * params.head_dim;
    let r = rotate(q[base + a], q[base + b], c, s);
    q[base + a] = r[0];
    q[base + b] = r[1];
  }
  for (var h = 0u; h < params.n_kv_heads; h++) {
    let base = (t * params.n_kv_heads + h) * params.head_dim;
    let r = rotate(k[base + a], k[base + b], c, s);
    k[base + a] = r[0];
    k[base + b] = r[1];
  }
}
