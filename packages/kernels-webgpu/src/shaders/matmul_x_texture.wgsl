// Activations x: f32 [t, k] (k % 4 == 0) from a read-only rgba32uint storage
// texture TW texels wide holding x's bytes in order, like matmul_w_texture.wgsl.
// Only x_quad: the kernel reading through it (matmul_gemm_sg) has no tails.
@group(0) @binding(2) var x: texture_storage_2d<rgba32uint, read>;

// x[t, k..k+3]; k % 4 == 0.
fn x_quad(t: u32, k: u32) -> vec4f {
  let i = (t * p.k + k) / 4u;
  return bitcast<vec4f>(textureLoad(x, vec2u(i % TW, i / TW)));
}
