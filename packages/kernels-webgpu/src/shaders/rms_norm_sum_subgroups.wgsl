// Workgroup sum for the row kernels (rms_norm*.wgsl), with subgroupAdd (the
// host puts `enable subgroups;` first). No bindings. Prepended to a kernel
// that declares `override WG: u32` and an entry point taking a RowInvocation
// (the workgroup id is a separate parameter: uniformity analysis treats a
// struct parameter as a whole, and local ids are not uniform).

struct RowInvocation {
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg_size: u32,
}

// One partial per subgroup; WebGPU subgroups have at least 4 invocations.
var<workgroup> partials: array<f32, WG / 4u>;

// Sum of `v` over the workgroup, returned to every invocation. Assumes
// subgroups are consecutive runs of local_invocation_index, as on every
// driver we know of.
fn workgroup_sum(v: f32, inv: RowInvocation) -> f32 {
  let s = subgroupAdd(v);
  if (inv.lane == 0u) {
    partials[inv.lid / inv.sg_size] = s;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < (WG + inv.sg_size - 1u) / inv.sg_size; i++) {
    total += partials[i];
  }
  return total;
}
