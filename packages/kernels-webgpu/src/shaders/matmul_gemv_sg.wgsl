// Decode-sized T (subgroups of 8+ lanes): TR activation rows against 8*NL
// weight rows per workgroup, every weight read once.
// Needs (composed before this body): `enable subgroups;`, consts TR (activation
// rows per workgroup) and NL (weight rows per lane), matmul_common.wgsl,
// matmul_x.wgsl and an aligned weight snippet. Bindings: see matmul_common.wgsl.
// Grid: x*y covers ceil(n / (8*NL)) row groups (x < p.groups_x), z covers
// ceil(t / TR) activation row chunks.
//
// Lane l owns weight rows n0 + l + 8j. Per KB-block it loads x[t, kb+4l..+3]
// once and gets the other lanes' values with subgroupShuffle: on a SIMD-8 CPU
// (lavapipe) a lane-varying load costs ~5 instructions per lane and a shuffle
// one permute, so the 8 lanes share activation loads instead of each loading
// all KB values.

const QPC = W_CHUNK / 4u;

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let n0 = (wg.y * p.groups_x + wg.x) * 8u * NL;
  let t0 = wg.z * TR;
  var rows: array<u32, NL>;
  for (var j = 0u; j < NL; j++) {
    rows[j] = min(n0 + lane + 8u * j, p.n - 1u);
  }
  var ts: array<u32, TR>;
  for (var t = 0u; t < TR; t++) {
    ts[t] = min(t0 + t, p.t - 1u);
  }

  var acc: array<f32, TR * NL>;
  let kfull = p.k - p.k % KB;
  for (var kb = 0u; kb < kfull; kb += KB) {
    var xq: array<vec4f, TR>;
    for (var t = 0u; t < TR; t++) {
      xq[t] = x_quad(ts[t], kb + 4u * lane);
    }
    // Block partial sums, scaled once per block (Q8_0). Zeroed explicitly:
    // lavapipe keeps a loop-local array's value from the previous iteration.
    var part: array<f32, TR * NL>;
    for (var i = 0u; i < TR * NL; i++) {
      part[i] = 0.0;
    }
    for (var ch = 0u; ch < KB / W_CHUNK; ch++) {
      for (var j = 0u; j < NL; j++) {
        let raw = w_load(rows[j], kb + ch * W_CHUNK);
        for (var q = 0u; q < QPC; q++) {
          let wq = w_quad(raw, q);
          for (var t = 0u; t < TR; t++) {
            for (var c = 0u; c < 4u; c++) {
              part[t * NL + j] += subgroupShuffle(xq[t][c], ch * QPC + q) * wq[c];
            }
          }
        }
      }
    }
    for (var j = 0u; j < NL; j++) {
      let s = w_scale(rows[j], kb);
      for (var t = 0u; t < TR; t++) {
        acc[t * NL + j] += s * part[t * NL + j];
      }
    }
  }
  for (var k = kfull; k < p.k; k++) {
    for (var j = 0u; j < NL; j++) {
      let wv = w_one(rows[j], k);
      for (var t = 0u; t < TR; t++) {
        acc[t * NL + j] += x_one(ts[t], k) * wv;
      }
    }
  }

  for (var j = 0u; j < NL; j++) {
    let n = n0 + lane + 8u * j;
    for (var t = 0u; t < TR; t++) {
      if (n < p.n && t0 + t < p.t) {
        store_y(t0 + t, n, acc[t * NL + j]);
      }
    }
  }
}
