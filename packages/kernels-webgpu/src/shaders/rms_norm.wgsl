// RMSNorm: out[r, j] = x[r, j] / sqrt(mean(x[r, :]^2) + eps) * weight[j].
// One workgroup per row; the sum of squares is accumulated in f32. Written
// over `vec` (f32 or vec4f, see the prelude); dim is in vecs.
//
// Bindings:
//   1 x:      array<vec> [rows, dim]
//   2 weight: array<vec> [dim]
//   3 out:    array<vec> [rows, dim], not aliasing x

override WG: u32 = 256u;

struct Params {
  rows: u32,
  dim: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec>;
@group(0) @binding(2) var<storage, read> weight: array<vec>;
@group(0) @binding(3) var<storage, read_write> out: array<vec>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, inv: RowInvocation) {
  let row = grid_row(wg);
  if (row >= params.rows) {
    return;
  }
  let base = row * params.dim;
  var ss = 0.0;
  for (var j = inv.lid; j < params.dim; j += WG) {
    let v = x[base + j];
    ss += hsum(v * v);
  }
  let scale = inverseSqrt(workgroup_sum(ss, inv) / f32(params.dim * VEC) + params.eps);
  for (var j = inv.lid; j < params.dim; j += WG) {
    out[base + j] = x[base + j] * scale * weight[j];
  }
}
