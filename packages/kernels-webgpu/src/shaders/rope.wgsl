// Rotary position embedding, in place on q and k. Pair i of a head (i <
// rope_dim / 2) turns by positions[t] * base^(-2i / rope_dim) radians; the
// head's dimensions from rope_dim on are left as they are.
// Pair layout (NEOX): false = adjacent (x[2i], x[2i+1]), GGUF llama / llama2.c;
// true = split halves (x[i], x[i + rope_dim/2]), GPT-NeoX / Qwen2.
// Row t of the grid (see the prelude's grid_row) is token t, one invocation
// per pair; it rotates that pair in every q and k head.
//
// Bindings:
//   1 q:         array<f32> [tokens, n_heads, head_dim], rotated in place
//   2 k:         array<f32> [tokens, n_kv_heads, head_dim], rotated in place
//   3 positions: array<i32> [tokens], each in [0, 2^20)
//   4 freqs:     array<vec2u> [rope_dim / 2]: pair i's frequency in turns per
//                position as 44-bit fixed point, x = bits 12..43, y = bits 0..11.

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
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@group(0) @binding(2) var<storage, read_write> k: array<f32>;
@group(0) @binding(3) var<storage, read> positions: array<i32>;
@group(0) @binding(4) var<storage, read> freqs: array<vec2u>;

const TAU_OVER_2_32: f32 = 6.283185307179586 / 4294967296.0;

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
  let f = freqs[i];
  let turns = pos * f.x + ((pos * f.y) >> 12u);
  let angle = f32(bitcast<i32>(turns)) * TAU_OVER_2_32;
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
    let x0 = q[base + a];
    let x1 = q[base + b];
    q[base + a] = x0 * c - x1 * s;
    q[base + b] = x0 * s + x1 * c;
  }
  for (var h = 0u; h < params.n_kv_heads; h++) {
    let base = (t * params.n_kv_heads + h) * params.head_dim;
    let x0 = k[base + a];
    let x1 = k[base + b];
    k[base + a] = x0 * c - x1 * s;
    k[base + b] = x0 * s + x1 * c;
  }
}
