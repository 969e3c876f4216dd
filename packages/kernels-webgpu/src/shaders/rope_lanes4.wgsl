// RoPE lane helpers for four pairs per invocation (`vec` = vec4f). No bindings.

alias uvec = vec4u;
alias ivec = vec4i;

// Four pairs' (x0, x1) lanes from x[a], x[b] in the adjacent layout, which
// hold elements 8i..8i+3 and 8i+4..8i+7: pairs (0,1) (2,3) (4,5) (6,7).
fn deinterleave(u: vec, w: vec) -> array<vec, 2> {
  return array(vec4f(u.xz, w.xz), vec4f(u.yw, w.yw));
}

// (x[a], x[b]) from the rotated lanes in the adjacent layout.
fn interleave(r0: vec, r1: vec) -> array<vec, 2> {
  return array(vec4f(r0.x, r1.x, r0.y, r1.y), vec4f(r0.z, r1.z, r0.w, r1.w));
}
