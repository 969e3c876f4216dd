// Sampling randomness: Philox-4x32-10 (Salmon et al., SC'11) and the Exp(1)
// variates the Gumbel-max draw uses. No bindings: this file is prepended to
// sampling.wgsl. The TypeScript twin (kernels/sampling/philox.ts) is bit-exact.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// The full 64-bit product a * b as (hi, lo); WGSL has no mulhi.
fn mul_wide(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2u(a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u), a * b);
}

// Four independent u32 from a 128-bit counter under a 64-bit key.
fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mul_wide(PHILOX_M0, c.x);
    let p1 = mul_wide(PHILOX_M1, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2u(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// E = -ln(U) with U uniform on the midpoints of the 2^32 grid: the top bit
// picks U = v or U = 1 - v, v in (0, 1/2) from the other 31 bits. Near U = 1
// (E near 0, where the Gumbel-max winner comes from) -ln(1 - v) is evaluated
// as 2 atanh(v / (2 - v)) by its series, so E keeps full relative precision
// where a plain log(U) would lose it all.
fn exponential(r: u32) -> f32 {
  let v = (f32(r & 0x7fffffffu) + 0.5) * 2.3283064365386963e-10;
  if ((r >> 31u) == 0u) {
    return -log(v);
  }
  let s = v / (2.0 - v);
  let s2 = s * s;
  // 2 atanh(s) = 2 s (1 + s²/3 + s⁴/5 + ...); s <= 1/3, so 8 terms reach 1e-9.
  var t = 1.0 / 15.0;
  t = t * s2 + 1.0 / 13.0;
  t = t * s2 + 1.0 / 11.0;
  t = t * s2 + 1.0 / 9.0;
  t = t * s2 + 1.0 / 7.0;
  t = t * s2 + 1.0 / 5.0;
  t = t * s2 + 1.0 / 3.0;
  t = t * s2 + 1.0;
  return 2.0 * s * t;
}
