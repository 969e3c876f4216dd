// Weights w: a K-quant [n, k] (k % 256 == 0: rows are whole super-blocks),
// decoded by kquants.wgsl 32 values per load. Scales and mins are applied in
// w_quad (a min cannot be factored out of a block's sum), so w_scale is 1.
// Interface: see matmul_w_f32.wgsl.
const W_CHUNK = 32u;
alias WRaw = KqChunk;

fn w_load(row: u32, k: u32) -> WRaw {
  return kq_chunk(row * (p.k / 256u) + k / 256u, (k % 256u) / 32u, p.n * (p.k / 256u));
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return kq_quad(raw, q);
}

fn w_scale(row: u32, k: u32) -> f32 {
  return 1.0;
}

fn w_one(row: u32, k: u32) -> f32 {
  return kq_quad(w_load(row, k - k % 32u), (k % 32u) / 4u)[k % 4u];
}
