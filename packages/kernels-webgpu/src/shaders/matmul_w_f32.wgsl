// Weights w: f32 [n, k] row-major, read as vec4 (needs k % 4 == 0).
// Weight snippet interface, shared by matmul_w_*.wgsl:
//   W_CHUNK            weights per w_load (a multiple of 4 dividing KB)
//   w_load(row, k)     the raw chunk of row `row` starting at k (k % W_CHUNK == 0)
//   w_quad(raw, q)     weights q*4..q*4+3 of a chunk, unscaled
//   w_scale(row, k)    the scale of the KB-block holding k (1 for float weights)
//   w_one(row, k)      one weight, scaled (tails)
@group(0) @binding(1) var<storage, read> w: array<vec4f>;

const W_CHUNK = 4u;
alias WRaw = vec4f;

fn w_load(row: u32, k: u32) -> WRaw {
  return w[(row * p.k + k) / 4u];
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return raw;
}

fn w_scale(row: u32, k: u32) -> f32 {
  return 1.0;
}

fn w_one(row: u32, k: u32) -> f32 {
  let i = row * p.k + k;
  return w[i / 4u][i % 4u];
}
