// Paged attention body for wide heads (composed after attention_tile.wgsl):
// DL lanes across the head dimension (VPL vec4s each) times KL key groups.
// The keys are taken KB at a time; per step each key group dots its keys
// with every row, the partial dots are summed through workgroup memory, one
// lane per row advances that row's online softmax (running max and sum), and
// every lane accumulates its keys' values into its slice of the rows'
// outputs: three workgroup barriers per step. Key groups are summed once at the end.
// The loops over keys stay loops (their bound is a uniform): lavapipe spends
// tens of milliseconds compiling each unrolled vec4 load, so this body keeps
// few, where lanes owning whole rows would unroll HEAD_DIM / 4 of them.

const VPL = D4 / DL;
const KL = WG / DL;
const KB = KEYS_PER_STEP;

// This lane's slice of every row's scaled query and output.
var<private> qr: array<array<vec4f, VPL>, ROWS>;
var<private> acc: array<array<vec4f, VPL>, ROWS>;

// Per step: each lane's partial dot of every (row, key); the rows' scores,
// then softmax weights (0 where masked); each row's rescale factor. Across
// steps: each row's running max and sum. Before and after the key loop:
// the tile's queries, then every lane's slice of the outputs.
var<workgroup> partial_dots: array<f32, ROWS * KB * DL>;
var<workgroup> weights: array<f32, ROWS * KB>;
var<workgroup> row_scale: array<f32, ROWS>;
var<workgroup> row_max: array<f32, ROWS>;
var<workgroup> row_sum: array<f32, ROWS>;
var<workgroup> tile_rows: array<vec4f, WG * ROWS * VPL>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32) {
  let tile = locate(wid.x, wid.z);
  if (tile.num_tokens == 0u) {
    return;
  }
  let kv_head = wid.y / (GROUP / HEADS);
  let dl = lane % DL;
  let kl = lane / DL;
  // The tile's queries: copied through workgroup memory by a loop, then
  // into registers (one unrolled load per vec4, from workgroup memory).
  for (var x = lane; x < ROWS * D4; x += WG) {
    tile_rows[x] = q[row_base(tile, x / D4, wid.y) + x % D4] * params.scale_log2e;
  }
  for (var r = lane; r < ROWS; r += WG) {
    row_max[r] = NEG_BIG;
    row_sum[r] = 0.0;
  }
  workgroupBarrier();
  for (var r = 0u; r < ROWS; r++) {
    for (var v = 0u; v < VPL; v++) {
      qr[r][v] = tile_rows[r * D4 + dl * VPL + v];
      acc[r][v] = vec4f(0.0);
    }
  }

  let last_key = tile.key_end - 1u;
  let steps = (tile.key_end - tile.key_begin + KB - 1u) / KB;
  for (var step = 0u; step < steps; step++) {
    let first = tile.key_begin + step * KB;
    // Partial dots of this lane's slice for its key group's slots j.
    for (var j = kl; j < params.keys_per_step; j += KL) {
      let base = cache_row(tile.seq, min(first + j, last_key), kv_head) + dl * VPL;
      var k: array<vec4f, VPL>;
      for (var v = 0u; v < VPL; v++) {
        k[v] = k_cache[base + v];
      }
      for (var r = 0u; r < ROWS; r++) {
        var d = 0.0;
        for (var v = 0u; v < VPL; v++) {
          d += dot(qr[r][v], k[v]);
        }
        partial_dots[(r * KB + j) * DL + dl] = d;
      }
    }
    workgroupBarrier();
    // Scores, by all lanes: the partial dots summed in lane order, masked.
    for (var x = lane; x < ROWS * KB; x += WG) {
      let r = x / KB;
      let key = first + x % KB;
      var score = 0.0;
      for (var i = 0u; i < DL; i++) {
        score += partial_dots[x * DL + i];
      }
      // Causal: row r sits at position first_pos + r / HEADS.
      let live = key <= last_key && key <= tile.first_pos + r / HEADS;
      weights[x] = select(NEG_BIG, score, live);
    }
    workgroupBarrier();
    // Each row's online softmax step, by one lane: new max, weights, rescale factor.
    for (var r = lane; r < ROWS; r += WG) {
      var m_new = row_max[r];
      for (var j = 0u; j < params.keys_per_step; j++) {
        m_new = max(m_new, weights[r * KB + j]);
      }
      var sum = 0.0;
      for (var j = 0u; j < params.keys_per_step; j++) {
        let score = weights[r * KB + j];
        let w = select(0.0, exp2(score - m_new), score > NEG_BIG);
        weights[r * KB + j] = w;
        sum += w;
      }
      let scale = exp2(row_max[r] - m_new);
      row_scale[r] = scale;
      row_sum[r] = row_sum[r] * scale + sum;
      row_max[r] = m_new;
    }
    workgroupBarrier();
    // This key group's values into this lane's slice of the outputs.
    for (var r = 0u; r < ROWS; r++) {
      let scale = row_scale[r];
      for (var v = 0u; v < VPL; v++) {
        acc[r][v] *= scale;
      }
    }
    for (var j = kl; j < params.keys_per_step; j += KL) {
      let base = cache_row(tile.seq, min(first + j, last_key), kv_head) + dl * VPL;
      var val: array<vec4f, VPL>;
      for (var v = 0u; v < VPL; v++) {
        val[v] = v_cache[base + v];
      }
      for (var r = 0u; r < ROWS; r++) {
        let w = weights[r * KB + j];
        for (var v = 0u; v < VPL; v++) {
          acc[r][v] += w * val[v];
        }
      }
    }
  }

  // Every lane's slice through workgroup memory; then each output vec4 sums
  // its key groups in group order and is stored by a loop.
  workgroupBarrier();
  for (var r = 0u; r < ROWS; r++) {
    for (var v = 0u; v < VPL; v++) {
      tile_rows[(lane * ROWS + r) * VPL + v] = acc[r][v];
    }
  }
  workgroupBarrier();
  for (var x = lane; x < ROWS * D4; x += WG) {
    let r = x / D4;
    let slice = x % D4;
    if (r / HEADS < tile.num_tokens) {
      var sum = vec4f(0.0);
      for (var g = 0u; g < KL; g++) {
        sum += tile_rows[((g * DL + slice / VPL) * ROWS + r) * VPL + slice % VPL];
      }
      if (tile.split) {
        let part = partial_base(tile.seq, kv_head, wid.z, row_head(r, wid.y) % GROUP);
        partials[part + slice] = sum;
        if (slice == 0u) {
          partials[part + D4] = vec4f(row_max[r], row_sum[r], 0.0, 0.0);
        }
      } else {
        out[row_base(tile, r, wid.y) + slice] = sum / row_sum[r];
      }
    }
  }
}
