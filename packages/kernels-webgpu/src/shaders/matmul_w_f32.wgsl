// Weights w: f32 [n, k] row-major, read as vec4 (needs k % 4 == 0).
// Weight snippet interface, shared by matmul_w_*.wgsl:
//   W_CHUNK            weights per w_load (a multiple of 4 dividing KB)
//   w_load(row, k)     the raw chunk of row `row` starting at k (k % W_CHUNK == 0)
//   w_quad(raw, q)     weights q*4..q*4+3 of a chunk, unscaled
//   w_scale(row, k)    the scale of the KB-block holding k (1 for float weights)
//   w_one(row, k)      one weight, scaled (tails)
// The 16-byte vectors come from w_vec(i), vector i of the weight tensor's
// bytes: matmul_w_buffer.wgsl (a storage buffer) or matmul_w_texture.wgsl.

const W_CHUNK = 4u;
alias WRaw = vec4f;

fn w_load(row: u32, k: u32) -> WRaw {
  return bitcast<vec4f>(w_vec((row * p.k + k) / 4u));
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return raw;
}

fn w_scale(row: u32, k: u32) -> f32 {
  return 1.0;
}

fn w_one(row: u32, k: u32) -> f32 {
  let i = row * p.k + k;
  return bitcast<f32>(w_vec(i / 4u)[i % 4u]);
}
