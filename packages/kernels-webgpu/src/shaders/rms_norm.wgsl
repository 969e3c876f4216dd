// RMSNorm: out[r, j] = x[r, j] / sqrt(mean(x[r, :]^2) + eps) * weight[j].
// One workgroup per row; the sum of squares is accumulated in f32.
//
// Bindings:
//   1 x:      array<f32> [rows, dim]
//   2 weight: array<f32> [dim]
//   3 out:    array<f32> [rows, dim], not aliasing x

override WG: u32 = 256u;

struct Params {
  rows: u32,
  dim: u32,
  eps: f32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, inv: RowInvocation) {
  let row = wg.y * params.groups_x + wg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.dim;
  var ss = 0.0;
  for (var j = inv.lid; j < params.dim; j += WG) {
    let v = x[base + j];
    ss += v * v;
  }
  let scale = inverseSqrt(workgroup_sum(ss, inv) / f32(params.dim) + params.eps);
  for (var j = inv.lid; j < params.dim; j += WG) {
    out[base + j] = x[base + j] * scale * weight[j];
  }
}
