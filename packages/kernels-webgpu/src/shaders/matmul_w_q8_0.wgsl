// Weights w: Q8_0 [n, k] (k % 32 == 0) in the GPU layout of dtype.ts: n*k int8
// quants in row-major order, 4 per u32 (element 4i in the low byte), then one
// f16 scale per block of 32 quants, 2 per u32. Read 16 quants at a time as
// vec4<u32>; the scales start at vec4 index n*k/16.
// Interface: see matmul_w_f32.wgsl.
const W_CHUNK = 16u;
alias WRaw = vec4u;

// Four sign-extended int8 quants of one u32, low byte first.
fn i8x4(v: u32) -> vec4f {
  return vec4f(vec4i(i32(v << 24u), i32(v << 16u), i32(v << 8u), i32(v)) >> vec4u(24u));
}

fn w_load(row: u32, k: u32) -> WRaw {
  return w_vec((row * p.k + k) / 16u);
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return i8x4(raw[q]);
}

fn w_scale(row: u32, k: u32) -> f32 {
  let b = (row * p.k + k) / 32u;
  return unpack2x16float(w_vec((p.n * p.k) / 16u + b / 8u)[(b / 2u) % 4u])[b % 2u];
}

fn w_one(row: u32, k: u32) -> f32 {
  let i = row * p.k + k;
  return i8x4(w_vec(i / 16u)[(i / 4u) % 4u])[i % 4u] * w_scale(row, k);
}
