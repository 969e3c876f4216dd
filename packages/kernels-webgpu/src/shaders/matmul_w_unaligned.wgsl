// Weights w: f32 or f16 [n, k] with rows not 16-byte aligned (f32: k % 4 != 0,
// f16: k % 8 != 0), read element by element as u32 words. W_F16 (a const from
// the composer) picks the decoding; f16 needs k even, so a half pair never
// straddles two rows.
// Interface: see matmul_w_f32.wgsl.
@group(0) @binding(1) var<storage, read> w: array<u32>;

const W_CHUNK = 4u;
alias WRaw = vec4f;

fn w_elem(i: u32) -> f32 {
  if (W_F16) {
    return unpack2x16float(w[i / 2u])[i % 2u];
  }
  return bitcast<f32>(w[i]);
}

fn w_load(row: u32, k: u32) -> WRaw {
  let i = row * p.k + k;
  return vec4f(w_elem(i), w_elem(i + 1u), w_elem(i + 2u), w_elem(i + 3u));
}

fn w_quad(raw: WRaw, q: u32) -> vec4f {
  return raw;
}

fn w_scale(row: u32, k: u32) -> f32 {
  return 1.0;
}

fn w_one(row: u32, k: u32) -> f32 {
  return w_elem(row * p.k + k);
}
