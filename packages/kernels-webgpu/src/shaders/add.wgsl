// Residual add: out[i] = a[i] + b[i] over n f32 elements.
// `out` may not alias `a` or `b` (WebGPU forbids a buffer bound read-only and
// writable in one dispatch); use add_inplace.wgsl for x += y.

struct Params {
  n: u32,
  // Workgroups along x; the grid is 2-D so n may exceed 65535 * 256.
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * params.groups_x * 256u + gid.x;
  if (i < params.n) {
    out[i] = a[i] + b[i];
  }
}
