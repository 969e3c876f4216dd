// Prefill-sized T without subgroups: a 32 x 32 tile of y per 8 x 8 workgroup,
// each invocation a 4 x 4 register tile. Per KB-step the workgroup stages
// x[32 rows, KB] and w[32 rows, KB] (dequantised) in workgroup memory,
// transposed k-major so the inner loop reads one vec4 of 4 activation rows and
// one of 4 weight rows per k.
// Needs (composed before this body): matmul_common.wgsl and a
// matmul_x*/matmul_w_* snippet pair. Bindings: see matmul_common.wgsl.
// Grid: x = ceil(n / 32), y = ceil(t / 32).

const BT = 32u;
const BN = 32u;
const QPC = W_CHUNK / 4u;

// xs[k * BT/4 + i][c] = x[t0 + 4i + c, kb + k]; ws likewise for w rows.
var<workgroup> xs: array<vec4f, KB * BT / 4u>;
var<workgroup> ws: array<vec4f, KB * BN / 4u>;

fn put_x(k: u32, r: u32, v: f32) {
  xs[k * (BT / 4u) + r / 4u][r % 4u] = v;
}

fn put_w(k: u32, r: u32, v: f32) {
  ws[k * (BN / 4u) + r / 4u][r % 4u] = v;
}

// Stages a whole KB-block starting at kb with vector loads.
fn stage_block(li: u32, t0: u32, n0: u32, kb: u32) {
  for (var i = li; i < BT * KB / 4u; i += 64u) {
    let r = i / (KB / 4u);
    let k = 4u * (i % (KB / 4u));
    let v = x_quad(min(t0 + r, p.t - 1u), kb + k);
    for (var c = 0u; c < 4u; c++) {
      put_x(k + c, r, v[c]);
    }
  }
  for (var i = li; i < BN * KB / W_CHUNK; i += 64u) {
    let r = i / (KB / W_CHUNK);
    let k = W_CHUNK * (i % (KB / W_CHUNK));
    let row = min(n0 + r, p.n - 1u);
    let raw = w_load(row, kb + k);
    let s = w_scale(row, kb);
    for (var q = 0u; q < QPC; q++) {
      let v = w_quad(raw, q) * s;
      for (var c = 0u; c < 4u; c++) {
        put_w(k + 4u * q + c, r, v[c]);
      }
    }
  }
}

// Stages the last, partial block element by element, zero past p.k.
fn stage_tail(li: u32, t0: u32, n0: u32, kb: u32) {
  for (var i = li; i < BT * KB; i += 64u) {
    let r = i / KB;
    let k = i % KB;
    var xv = 0.0;
    var wv = 0.0;
    if (kb + k < p.k) {
      xv = x_one(min(t0 + r, p.t - 1u), kb + k);
      wv = w_one(min(n0 + r, p.n - 1u), kb + k);
    }
    put_x(k, r, xv);
    put_w(k, r, wv);
  }
}

@compute @workgroup_size(8, 8)
fn main(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let t0 = wg.y * BT;
  let n0 = wg.x * BN;
  // acc[i] = y[t0 + 4*lid.y + i, n0 + 4*lid.x .. +3]
  var acc: array<vec4f, 4>;
  for (var kb = 0u; kb < p.k; kb += KB) {
    if (kb + KB <= p.k) {
      stage_block(li, t0, n0, kb);
    } else {
      stage_tail(li, t0, n0, kb);
    }
    workgroupBarrier();
    for (var k = 0u; k < KB; k++) {
      let a = xs[k * (BT / 4u) + lid.y];
      let b = ws[k * (BN / 4u) + lid.x];
      for (var i = 0u; i < 4u; i++) {
        acc[i] += a[i] * b;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let t = t0 + 4u * lid.y + i;
    for (var c = 0u; c < 4u; c++) {
      let n = n0 + 4u * lid.x + c;
      if (t < p.t && n < p.n) {
        store_y(t, n, acc[i][c]);
      }
    }
  }
}
