// Weights w: f16 [n, k] row-major, two halves per u32 (element 2i in the low
// bits), read 8 at a time as vec4<u32> (needs k % 8 == 0).
// Interface: see matmul_w_f32.wgsl.
const W_CHUNK = 8u;
alias WRaw = vec4u;

fn w_load(row: u32, k: u32) -> WRaw {
  return w_vec((row * p.k + k) / 8u);
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return vec4f(unpack2x16float(raw[2u * q]), unpack2x16float(raw[2u * q + 1u]));
}

fn w_scale(row: u32, k: u32) -> f32 {
  return 1.0;
}

fn w_one(row: u32, k: u32) -> f32 {
  let i = row * p.k + k;
  return unpack2x16float(w_vec(i / 8u)[(i / 2u) % 4u])[i % 2u];
}
