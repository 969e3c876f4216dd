// Paged attention body for narrow heads (composed after attention_tile.wgsl):
// each of the WG lanes owns the keys k0 + lane, k0 + lane + WG, ... of the
// workgroup's key range and keeps whole rows in registers: its own online
// softmax (running max, sum and output) per row, with no barrier or
// cross-lane step per key. The lanes' states are merged in workgroup memory
// at the end. Every loop over the head dimension unrolls (rows in
// registers), which lavapipe compiles quickly only while HEAD_DIM is small.

// Per-lane merge buffers: each lane's (max, sum) and scaled output of one row.
var<workgroup> lane_stats: array<vec2f, WG>;
var<workgroup> lane_acc: array<vec4f, WG * D4>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32) {
  let tile = locate(wid.x, wid.z);
  if (tile.num_tokens == 0u) {
    return;
  }
  let kv_head = wid.y / (GROUP / HEADS);
  var qr: array<array<vec4f, D4>, ROWS>;
  var acc: array<array<vec4f, D4>, ROWS>;
  var m: array<f32, ROWS>;
  var l: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    let base = row_base(tile, r, wid.y);
    for (var i = 0u; i < D4; i++) {
      qr[r][i] = q[base + i] * params.scale_log2e;
      acc[r][i] = vec4f(0.0);
    }
    m[r] = NEG_BIG;
    l[r] = 0.0;
  }

  let steps = (tile.key_end - tile.key_begin + WG - 1u) / WG;
  for (var step = 0u; step < steps; step++) {
    let key_raw = tile.key_begin + step * WG + lane;
    let in_range = key_raw < tile.key_end;
    let key = min(key_raw, tile.key_end - 1u);
    let base = cache_row(tile.seq, key, kv_head);

    // Zeroed explicitly: Dawn on lavapipe does not re-zero a loop-local
    // `var` without an initialiser on every iteration.
    var dots: array<f32, ROWS>;
    for (var r = 0u; r < ROWS; r++) {
      dots[r] = 0.0;
    }
    for (var i = 0u; i < D4; i++) {
      let k = k_cache[base + i];
      for (var r = 0u; r < ROWS; r++) {
        dots[r] += dot(qr[r][i], k);
      }
    }
    var scale: array<f32, ROWS>;
    var weight: array<f32, ROWS>;
    var rescale = false;
    for (var r = 0u; r < ROWS; r++) {
      // Causal: row r sits at position first_pos + r / HEADS.
      let live = in_range && key <= tile.first_pos + r / HEADS;
      let m_new = select(m[r], max(m[r], dots[r]), live);
      scale[r] = exp2(m[r] - m_new);
      weight[r] = select(0.0, exp2(dots[r] - m_new), live);
      l[r] = l[r] * scale[r] + weight[r];
      rescale = rescale || m_new > m[r];
      m[r] = m_new;
    }
    // The running max rarely moves after the first keys, so the output is
    // rescaled only when it does.
    if (rescale) {
      for (var i = 0u; i < D4; i++) {
        for (var r = 0u; r < ROWS; r++) {
          acc[r][i] *= scale[r];
        }
      }
    }
    for (var i = 0u; i < D4; i++) {
      let v = v_cache[base + i];
      for (var r = 0u; r < ROWS; r++) {
        acc[r][i] += weight[r] * v;
      }
    }
  }

  // Merge the lanes' states row by row, in a fixed lane order.
  for (var r = 0u; r < ROWS; r++) {
    let token_in_tile = r / HEADS;
    lane_stats[lane] = vec2f(m[r], l[r]);
    workgroupBarrier();
    var m_all = NEG_BIG;
    for (var j = 0u; j < WG; j++) {
      m_all = max(m_all, lane_stats[j].x);
    }
    var l_all = 0.0;
    for (var j = 0u; j < WG; j++) {
      l_all += lane_stats[j].y * exp2(lane_stats[j].x - m_all);
    }
    let own = exp2(m[r] - m_all);
    for (var i = 0u; i < D4; i++) {
      lane_acc[lane * D4 + i] = acc[r][i] * own;
    }
    workgroupBarrier();
    if (token_in_tile < tile.num_tokens) {
      let out_base = row_base(tile, r, wid.y);
      let part = partial_base(tile.seq, kv_head, wid.z, row_head(r, wid.y) % GROUP);
      for (var i = lane; i < D4; i += WG) {
        var sum = vec4f(0.0);
        for (var j = 0u; j < WG; j++) {
          sum += lane_acc[j * D4 + i];
        }
        if (tile.split) {
          partials[part + i] = sum;
        } else {
          out[out_base + i] = sum / l_all;
        }
      }
      if (tile.split && lane == 0u) {
        partials[part + D4] = vec4f(m_all, l_all, 0.0, 0.0);
      }
    }
    workgroupBarrier();
  }
}
