// K-quant weights (ggml's Q4_K, Q5_K, Q6_K in the GPU layout of
// kquants/gpu-layout.ts), decoded 32 values at a time; shared by the matmul
// and embedding kernels. Needs from the composer: const KQ (4, 5 or 6: the
// format) and fn w_vec(i: u32) -> vec4u, 16-byte vector i of the tensor.
//
// A chunk is the 32 values of one Q4_K/Q5_K sub-block, or two Q6_K
// sub-blocks: lo and hi are its quant bit fields (see gpu-layout.ts; hi's
// words start at component hw), and value = scale * q - min with
// (scale, min) = sm.xy for values 0-15, sm.zw for 16-31. Every product in it
// is exact in f32 (an f16 times a 6-bit scale times a 6-bit quant fits 24
// bits), so a decoded weight is the block's value rounded once. 32 values per
// chunk decode each scale once per sub-block.

struct KqChunk {
  lo: vec4u,
  hi: vec4u,
  sm: vec4f,
  hw: u32,
}

// Byte i of a Q4_K/Q5_K block's first 16 bytes: d, dmin, scales[12].
fn kq_byte(h: vec4u, i: u32) -> u32 {
  return (h[i / 4u] >> (8u * (i % 4u))) & 0xffu;
}

// d·scale and dmin·min of sub-block j (ggml's get_scale_min_k4, without a branch).
fn kq_scale_min(h: vec4u, j: u32) -> vec2f {
  let dm = unpack2x16float(h.x);
  let low = vec2u(kq_byte(h, 4u + j), kq_byte(h, 8u + j)) & vec2u(63u);
  let packed = kq_byte(h, 8u + j);
  let high = vec2u(packed & 15u, packed >> 4u) | ((vec2u(kq_byte(h, j), kq_byte(h, 4u + j)) >> vec2u(6u)) << vec2u(4u));
  return dm * vec2f(select(high, low, j < 4u));
}

// Values 32s..32s+31 of super-block b, of a tensor of `blocks` super-blocks.
// The matmul's s is the same in every lane: its indexing stays scalar.
fn kq_chunk(b: u32, s: u32, blocks: u32) -> KqChunk {
  var c: KqChunk;
  if (KQ == 6u) {
    // 13 vectors per block (lo 0-7, hi 8-11, scales 12), then every block's d.
    let base = b * 13u;
    c.lo = w_vec(base + s);
    c.hi = w_vec(base + 8u + s / 2u);
    c.hw = 2u * (s % 2u);
    let sc = bitcast<i32>(w_vec(base + 12u)[s / 2u]) << (16u * (1u - s % 2u));
    let d = unpack2x16float(w_vec(blocks * 13u + b / 8u)[(b / 2u) % 4u])[b % 2u];
    let scales = d * vec2f(f32((sc << 8u) >> 24u), f32(sc >> 24u));
    c.sm = vec4f(scales.x, 32.0 * scales.x, scales.y, 32.0 * scales.y);
  } else {
    // Q4_K: header, lo x 8 (9 vectors); Q5_K: header, lo x 8, hi (11).
    let base = b * select(11u, 9u, KQ == 4u);
    c.lo = w_vec(base + 1u + s);
    if (KQ == 5u) {
      c.hi = w_vec(base + 9u + s / 4u);
      c.hw = s % 4u;
    }
    let sm = kq_scale_min(w_vec(base), s);
    c.sm = vec4f(sm, sm);
  }
  return c;
}

// Values 4q..4q+3 (q < 8) of a chunk. The four quants are assembled in one
// word (a shift and a mask per field for all four bytes), then split.
fn kq_quad(c: KqChunk, q: u32) -> vec4f {
  var quants = (c.lo[q % 4u] >> (4u * (q / 4u))) & 0x0f0f0f0fu;
  if (KQ == 5u) {
    quants |= ((c.hi[c.hw] >> q) & 0x01010101u) << 4u;
  }
  if (KQ == 6u) {
    quants |= ((c.hi[c.hw + q / 4u] >> (2u * (q % 4u))) & 0x03030303u) << 4u;
  }
  let sm = select(c.sm.xy, c.sm.zw, q >= 4u);
  return fma(vec4f((vec4u(quants) >> vec4u(0u, 8u, 16u, 24u)) & vec4u(0xffu)), vec4f(sm.x), vec4f(-sm.y));
}
