// Prefill-sized T (subgroups of 8+ lanes): a TM x 8*NL tile of y per
// workgroup of 8 lanes, accumulated in registers.
// Needs (composed before this body): `enable subgroups;`, consts TM (a
// multiple of 8) and NL, matmul_common.wgsl, matmul_x.wgsl and an aligned
// weight snippet (p.k % W_CHUNK == 0). Bindings: see matmul_common.wgsl. Grid: x = ceil(n / (8*NL)),
// y = ceil(t / TM).
//
// Lane l owns weight rows n0 + l + 8j and loads activation rows t0 + l + 8g;
// every activation value reaches the other lanes by subgroupShuffle (one
// permute on a SIMD-8 CPU) instead of a load per lane. Each loaded weight
// serves TM rows and each loaded activation 8*NL columns. Workgroup memory
// would add a store and a reload per value on lavapipe, where it measured 2x
// slower; matmul_gemm.wgsl is the workgroup-memory kernel for other devices.

const QPC = W_CHUNK / 4u;
const TG = TM / 8u;

// The output tile, staged so the bounds-checked stores run in a short loop
// (64 unrolled checked stores took seconds to compile).
var<workgroup> tile: array<f32, TM * 8u * NL>;

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let n0 = wg.x * 8u * NL;
  let t0 = wg.y * TM;
  var rows: array<u32, NL>;
  for (var j = 0u; j < NL; j++) {
    rows[j] = min(n0 + lane + 8u * j, p.n - 1u);
  }
  var xrows: array<u32, TG>;
  for (var g = 0u; g < TG; g++) {
    xrows[g] = min(t0 + lane + 8u * g, p.t - 1u);
  }

  var acc: array<f32, TM * NL>;
  // One chunk per iteration (aligned rows: p.k % W_CHUNK == 0, and a chunk
  // never straddles a Q8_0 block); unrolling a whole KB-block made the shader
  // slow to compile.
  for (var k = 0u; k < p.k; k += W_CHUNK) {
    var raw: array<WRaw, NL>;
    var s: array<f32, NL>;
    for (var j = 0u; j < NL; j++) {
      raw[j] = w_load(rows[j], k);
      s[j] = w_scale(rows[j], k);
    }
    for (var q = 0u; q < QPC; q++) {
      var wq: array<vec4f, NL>;
      for (var j = 0u; j < NL; j++) {
        wq[j] = w_quad(raw[j], q) * s[j];
      }
      var xq: array<vec4f, TG>;
      for (var g = 0u; g < TG; g++) {
        xq[g] = x_quad(xrows[g], k + 4u * q);
      }
      // Accumulator-major: the 64 accumulators live on the stack (the
      // texture loads are calls that clobber every vector register), so
      // each is read and written once per quad, its 4 products added in k
      // order (c-outer added the same terms in the same order, 4 times the
      // stack traffic). Rows in groups of 8 keep every loop short enough
      // for NIR to unroll.
      for (var g = 0u; g < TG; g++) {
        for (var l = 0u; l < 8u; l++) {
          let x0 = subgroupShuffle(xq[g].x, l);
          let x1 = subgroupShuffle(xq[g].y, l);
          let x2 = subgroupShuffle(xq[g].z, l);
          let x3 = subgroupShuffle(xq[g].w, l);
          let t = 8u * g + l;
          for (var j = 0u; j < NL; j++) {
            let a = acc[t * NL + j];
            acc[t * NL + j] = a + x0 * wq[j].x + x1 * wq[j].y + x2 * wq[j].z + x3 * wq[j].w;
          }
        }
      }
    }
  }

  for (var t = 0u; t < TM; t++) {
    for (var j = 0u; j < NL; j++) {
      tile[t * 8u * NL + 8u * j + lane] = acc[t * NL + j];
    }
  }
  workgroupBarrier();
  for (var i = lane; i < TM * 8u * NL; i += 8u) {
    let t = t0 + i / (8u * NL);
    let n = n0 + i % (8u * NL);
    if (t < p.t && n < p.n) {
      store_y(t, n, tile[i]);
    }
  }
}
