// Workgroup sum for the row kernels (rms_norm*.wgsl), without subgroups: a
// tree in workgroup memory. No bindings. Prepended to a kernel that declares
// `override WG: u32` (a power of two) and an entry point taking a
// RowInvocation (the workgroup id is a separate parameter: uniformity analysis
// treats a struct parameter as a whole, and local ids are not uniform).

struct RowInvocation {
  @builtin(local_invocation_index) lid: u32,
}

var<workgroup> partials: array<f32, WG>;

// Sum of `v` over the workgroup, returned to every invocation.
fn workgroup_sum(v: f32, inv: RowInvocation) -> f32 {
  partials[inv.lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (inv.lid < stride) {
      partials[inv.lid] += partials[inv.lid + stride];
    }
    workgroupBarrier();
  }
  return partials[0];
}
