// Matmul: y[t, n] = sum_k x[t, k] * w[n, k] (+ bias[n]).
// Every matmul pipeline is composed (see kernels/matmul/pipelines.ts) as:
//   `const` specialisations, this file, one activation snippet (matmul_x*.wgsl),
//   one weight snippet (matmul_w_*.wgsl), one kernel body (matmul_gemv*.wgsl,
//   matmul_gemm*.wgsl).
// Bindings:
//   0 params  uniform Params
//   1 w       weights [n, k]: f32, f16 or q8_0, layout in the weight snippet
//   2 x       f32 [t, k] row-major, declared by the activation snippet
//   3 y       f32 [t, y_stride] row-major; columns y_col .. y_col+n written
//   4 bias    f32 [n]; a dummy when has_bias == 0

struct Params {
  t: u32,
  n: u32,
  k: u32,
  has_bias: u32,
  // Workgroups along x when the row groups are spread over a 2-D grid.
  groups_x: u32,
  // Row length of y and the column this call's n outputs start at (a weight
  // split into row blocks fills one y block by block).
  y_stride: u32,
  y_col: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// Values per Q8_0 block; also the k step of every kernel's main loop, so one
// block scale serves a whole step.
const KB = 32u;

fn store_y(t: u32, n: u32, v: f32) {
  var b = 0.0;
  if (p.has_bias != 0u) {
    b = bias[n];
  }
  y[t * p.y_stride + p.y_col + n] = v + b;
}
