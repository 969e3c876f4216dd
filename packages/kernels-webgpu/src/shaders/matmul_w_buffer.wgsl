// The weight tensor's bytes as 16-byte vectors, from a storage buffer (see
// matmul_w_f32.wgsl for the weight snippets that decode them).
@group(0) @binding(1) var<storage, read> w: array<vec4u>;

fn w_vec(i: u32) -> vec4u {
  return w[i];
}
