// Decode-sized T without subgroups: TR activation rows against RW weight rows
// per workgroup, LANES invocations splitting k, every weight read once; the
// lanes' partial sums meet in workgroup memory.
// Needs (composed before this body): consts TR, RW, LANES,
// matmul_common.wgsl and a matmul_x*/matmul_w_* snippet pair. Bindings: see
// matmul_common.wgsl. Grid: x*y covers ceil(n / RW) row groups
// (x < p.groups_x), z covers ceil(t / TR) activation row chunks.

const QPC = W_CHUNK / 4u;

var<workgroup> red: array<f32, TR * RW * LANES>;

@compute @workgroup_size(LANES)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) l: u32) {
  let n0 = (wg.y * p.groups_x + wg.x) * RW;
  let t0 = wg.z * TR;
  var rows: array<u32, RW>;
  for (var r = 0u; r < RW; r++) {
    rows[r] = min(n0 + r, p.n - 1u);
  }
  var ts: array<u32, TR>;
  for (var t = 0u; t < TR; t++) {
    ts[t] = min(t0 + t, p.t - 1u);
  }

  var acc: array<f32, TR * RW>;
  let chunks = p.k / W_CHUNK;
  for (var c = l; c < chunks; c += LANES) {
    let k = c * W_CHUNK;
    var raw: array<WRaw, RW>;
    var s: array<f32, RW>;
    for (var r = 0u; r < RW; r++) {
      raw[r] = w_load(rows[r], k);
      s[r] = w_scale(rows[r], k);
    }
    for (var q = 0u; q < QPC; q++) {
      var xq: array<vec4f, TR>;
      for (var t = 0u; t < TR; t++) {
        xq[t] = x_quad(ts[t], k + 4u * q);
      }
      for (var r = 0u; r < RW; r++) {
        let wq = w_quad(raw[r], q) * s[r];
        for (var t = 0u; t < TR; t++) {
          acc[t * RW + r] += dot(xq[t], wq);
        }
      }
    }
  }
  for (var k = chunks * W_CHUNK + l; k < p.k; k += LANES) {
    for (var r = 0u; r < RW; r++) {
      let wv = w_one(rows[r], k);
      for (var t = 0u; t < TR; t++) {
        acc[t * RW + r] += x_one(ts[t], k) * wv;
      }
    }
  }

  for (var i = 0u; i < TR * RW; i++) {
    red[i * LANES + l] = acc[i];
  }
  workgroupBarrier();
  // One barrier and a serial sum per output: a tree (a barrier per level,
  // unrolled over TR*RW sums) took 25 s to compile on lavapipe.
  for (var i = l; i < TR * RW; i += LANES) {
    var sum = 0.0;
    for (var j = 0u; j < LANES; j++) {
      sum += red[i * LANES + j];
    }
    let t = t0 + i / RW;
    let n = n0 + i % RW;
    if (t < p.t && n < p.n) {
      store_y(t, n, sum);
    }
  }
}
