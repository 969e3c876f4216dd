// Sampling penalties and logit bias, in place on f32 logits [num_rows, vocab]:
// one workgroup per row, its lanes over the row's entries (one per distinct
// token, so no two lanes write the same logit). vLLM's order and formulas:
//   l += bias
//   l = l > 0 ? l / repetition : l * repetition   (token in the prompt or the output)
//   l -= frequency * output_count + presence * (output_count > 0)

struct Params {
  num_rows: u32,
  vocab: u32,
  groups_x: u32,
}

struct Row {
  presence: f32,
  frequency: f32,
  repetition: f32,
  first: u32,
  count: u32,
}

struct Entry {
  token: u32,
  output_count: u32,
  in_prompt: u32,
  bias: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> logits: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<Row>;
@group(0) @binding(3) var<storage, read> entries: array<Entry>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let row = wid.y * params.groups_x + wid.x;
  if (row >= params.num_rows) {
    return;
  }
  let r = rows[row];
  for (var i = tid; i < r.count; i += 64u) {
    let e = entries[r.first + i];
    let at = row * params.vocab + e.token;
    var l = logits[at] + e.bias;
    if (e.in_prompt != 0u || e.output_count > 0u) {
      l = select(l * r.repetition, l / r.repetition, l > 0.0);
    }
    l -= r.frequency * f32(e.output_count) + select(0.0, r.presence, e.output_count > 0u);
    logits[at] = l;
  }
}
