// K-quant weights (ggml's Q4_K, Q5_K, Q6_K in the GPU layouts of
// kquants/*.ts), decoded 16 values at a time; shared by the matmul and
// embedding kernels. Needs from the composer: const KQ (4, 5 or 6: the
// format) and fn w_vec(i: u32) -> vec4u, 16-byte vector i of the tensor.
//
// A chunk is 16 consecutive values of one sub-block: lo holds their low four
// bits (byte l of lo for value l, at bit shift.x), hi the bytes holding
// their high bits (at bit shift.y: Q5_K one bit, Q6_K two, Q4_K none), and
// value = sm.x * q - sm.y. Every product in it is exact in f32 (an f16 times
// a 6-bit scale times a 6-bit quant fits 24 bits), so a decoded weight is the
// block's value rounded once.

struct KqChunk {
  lo: vec4u,
  hi: vec4u,
  sm: vec2f,
  shift: vec2u,
}

const KQ_HMASK = select(select(3u, 1u, KQ == 5u), 0u, KQ == 4u);

// Byte i of a Q4_K/Q5_K block's first 16 bytes: d, dmin, scales[12].
fn kq_byte(h: vec4u, i: u32) -> u32 {
  return (h[i / 4u] >> (8u * (i % 4u))) & 0xffu;
}

// d·scale and dmin·min of sub-block j (ggml's get_scale_min_k4).
fn kq_scale_min(h: vec4u, j: u32) -> vec2f {
  let dm = unpack2x16float(h.x);
  var sc: u32;
  var m: u32;
  if (j < 4u) {
    sc = kq_byte(h, 4u + j) & 63u;
    m = kq_byte(h, 8u + j) & 63u;
  } else {
    sc = (kq_byte(h, 8u + j) & 15u) | ((kq_byte(h, j) >> 6u) << 4u);
    m = (kq_byte(h, 8u + j) >> 4u) | ((kq_byte(h, 4u + j) >> 6u) << 4u);
  }
  return vec2f(dm.x * f32(sc), dm.y * f32(m));
}

// Values e..e+15 (e % 16 == 0) of a tensor of `blocks` super-blocks.
fn kq_chunk(e: u32, blocks: u32) -> KqChunk {
  let b = e / 256u;
  let v = e % 256u;
  let half = (v / 16u) % 2u;
  var c: KqChunk;
  if (KQ == 6u) {
    // 13 vectors per block (ql 0-7, qh 8-11, scales 12), then every block's d.
    let base = b * 13u;
    let h = v / 128u;
    let g = (v / 32u) % 4u;
    c.lo = w_vec(base + 4u * h + 2u * (g % 2u) + half);
    c.hi = w_vec(base + 8u + 2u * h + half);
    let sc = extractBits(bitcast<i32>(w_vec(base + 12u)[v / 64u]), 8u * ((v / 16u) % 4u), 8u);
    let d = unpack2x16float(w_vec(blocks * 13u + b / 8u)[(b / 2u) % 4u])[b % 2u] * f32(sc);
    c.sm = vec2f(d, 32.0 * d);
    c.shift = vec2u(4u * (g / 2u), 2u * g);
  } else {
    // Q4_K: header, qs[128] (9 vectors); Q5_K: header, qh[32], qs[128] (11).
    let s = v / 32u;
    let base = b * select(11u, 9u, KQ == 4u);
    c.sm = kq_scale_min(w_vec(base), s);
    c.lo = w_vec(base + select(3u, 1u, KQ == 4u) + 2u * (s / 2u) + half);
    if (KQ == 5u) {
      c.hi = w_vec(base + 1u + half);
    }
    c.shift = vec2u(4u * (s % 2u), s);
  }
  return c;
}

// Values 4q..4q+3 of a chunk.
fn kq_quad(c: KqChunk, q: u32) -> vec4f {
  let bytes = vec4u(0u, 8u, 16u, 24u);
  let lo = (vec4u(c.lo[q]) >> (bytes + c.shift.x)) & vec4u(15u);
  let hi = (vec4u(c.hi[q]) >> (bytes + c.shift.y)) & vec4u(KQ_HMASK);
  return c.sm.x * vec4f(lo | (hi << vec4u(4u))) - c.sm.y;
}
