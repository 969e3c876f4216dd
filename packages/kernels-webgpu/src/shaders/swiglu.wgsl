// SwiGLU: out[t, j] = silu(gate[t, j]) * up[t, j], silu(g) = g / (1 + e^-g).
// Row t of gate starts at t * stride and of up at t * stride + up_offset, so
// one shader serves separate tensors (stride = hidden, up_offset = 0) and a
// fused gate+up matmul output [tokens, 2 * hidden] bound twice (stride =
// 2 * hidden, up_offset = hidden). One invocation per output element.
//
// Bindings:
//   1 gate: array<f32>, rows of `stride`
//   2 up:   array<f32>, rows of `stride` (may be the same buffer as gate)
//   3 out:  array<f32> [tokens, hidden]

override WG: u32 = 256u;

struct Params {
  tokens: u32,
  hidden: u32,
  stride: u32,
  up_offset: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * params.groups_x * WG + gid.x;
  if (i >= params.tokens * params.hidden) {
    return;
  }
  let t = i / params.hidden;
  let src = i + t * (params.stride - params.hidden);
  let g = gate[src];
  // e^-g overflows to inf for g < -88, giving silu = -0 as it should.
  out[i] = g / (1.0 + exp(-g)) * up[src + params.up_offset];
}
