// Paged attention, split path, second pass: for each single-token sequence
// whose context was cut into chunks (see chunk_keys in attention_common.wgsl),
// merges the chunks' partial results by log-sum-exp (base 2, as the scores
// were scaled by log2(e)): out = sum_c acc_c * 2^(m_c - M) / sum_c l_c * 2^(m_c - M)
// with M = max_c m_c, chunks taken in order. One workgroup per (sequence, kv
// head); its lanes stride over the head dimension.
// Bindings (see also attention_common.wgsl):
//   7 out  f32 [num_tokens, num_kv_heads * GROUP, HEAD_DIM]; rows of
//          sequences that were not split are left alone

@group(0) @binding(7) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32) {
  let seq = wid.x;
  let kv_head = wid.y;
  let start = u32(query_start[seq]);
  let chunks = num_chunks(u32(context_lens[seq]));
  if (u32(query_start[seq + 1u]) - start != 1u || chunks == 1u) {
    return;
  }
  for (var g = 0u; g < GROUP; g++) {
    var m_all = NEG_BIG;
    for (var c = 0u; c < chunks; c++) {
      m_all = max(m_all, partials[partial_base(seq, kv_head, c, g) + D4].x);
    }
    var l_all = 0.0;
    for (var c = 0u; c < chunks; c++) {
      let stats = partials[partial_base(seq, kv_head, c, g) + D4];
      l_all += stats.y * exp2(stats.x - m_all);
    }
    let out_base = (start * params.num_kv_heads * GROUP + kv_head * GROUP + g) * D4;
    for (var i = lane; i < D4; i += WG) {
      var sum = vec4f(0.0);
      for (var c = 0u; c < chunks; c++) {
        let base = partial_base(seq, kv_head, c, g);
        sum += partials[base + i] * exp2(partials[base + D4].x - m_all);
      }
      out[i + out_base] = sum / l_all;
    }
  }
}
