// SwiGLU: out[t, j] = silu(gate[t, j]) * up[t, j], silu(g) = g / (1 + e^-g).
// Row t of gate starts at t * stride and of up at t * stride + up_offset, so
// one shader serves separate tensors (stride = hidden, up_offset = 0) and a
// fused gate+up matmul output [tokens, 2 * hidden] bound twice (stride =
// 2 * hidden, up_offset = hidden). Written over `vec` (f32 or vec4f, see the
// prelude); lengths and offsets are in vecs. One invocation per output vec.
//
// Bindings:
//   1 gate: array<vec>, rows of `stride`
//   2 up:   array<vec>, rows of `stride` (may be the same buffer as gate)
//   3 out:  array<vec> [tokens, hidden]

override WG: u32 = 256u;

struct Params {
  tokens: u32,
  hidden: u32,
  stride: u32,
  up_offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gate: array<vec>;
@group(0) @binding(2) var<storage, read> up: array<vec>;
@group(0) @binding(3) var<storage, read_write> out: array<vec>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = grid_row(gid);
  let j = gid.x;
  if (t >= params.tokens || j >= params.hidden) {
    return;
  }
  let src = t * params.stride + j;
  let g = gate[src];
  // e^-g overflows to inf for g < -88, giving silu = -0 as it should.
  out[t * params.hidden + j] = g / (1.0 + exp(-g)) * up[src + params.up_offset];
}
