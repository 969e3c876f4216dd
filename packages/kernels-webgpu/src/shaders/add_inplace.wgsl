// In-place residual add: x[i] += y[i] over n f32 elements.

struct Params {
  n: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * params.groups_x * 256u + gid.x;
  if (i < params.n) {
    x[i] = x[i] + y[i];
  }
}
