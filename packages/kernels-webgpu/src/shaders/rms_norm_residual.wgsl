// Residual add then RMSNorm (a llama block's "add & norm"), per row r:
//   h[r, :] += delta[r, :];  out[r, :] = h[r, :] / sqrt(mean(h[r, :]^2) + eps) * weight.
// One workgroup per row; the sum of squares is accumulated in f32. Written
// over `vec` (f32 or vec4f, see the prelude); dim is in vecs.
//
// Bindings:
//   1 h:      array<vec> [rows, dim], the residual stream, updated in place
//   2 delta:  array<vec> [rows, dim]
//   3 weight: array<vec> [dim]
//   4 out:    array<vec> [rows, dim], aliasing neither h nor delta

override WG: u32 = 256u;

struct Params {
  rows: u32,
  dim: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> h: array<vec>;
@group(0) @binding(2) var<storage, read> delta: array<vec>;
@group(0) @binding(3) var<storage, read> weight: array<vec>;
@group(0) @binding(4) var<storage, read_write> out: array<vec>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, inv: RowInvocation) {
  let row = grid_row(wg);
  if (row >= params.rows) {
    return;
  }
  let base = row * params.dim;
  var ss = 0.0;
  for (var j = inv.lid; j < params.dim; j += WG) {
    let v = h[base + j] + delta[base + j];
    h[base + j] = v;
    ss += hsum(v * v);
  }
  let scale = inverseSqrt(workgroup_sum(ss, inv) / f32(params.dim * VEC) + params.eps);
  // Each invocation re-reads only the elements it wrote itself.
  for (var j = inv.lid; j < params.dim; j += WG) {
    out[base + j] = h[base + j] * scale * weight[j];
  }
}
