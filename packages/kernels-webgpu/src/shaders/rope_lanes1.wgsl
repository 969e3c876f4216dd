// RoPE lane helpers for one pair per invocation (`vec` = f32). No bindings.

alias uvec = u32;
alias ivec = i32;

// (x0, x1) of the pair from x[a], x[b] in the adjacent layout: they are the pair.
fn deinterleave(u: vec, w: vec) -> array<vec, 2> {
  return array(u, w);
}

// (x[a], x[b]) from the rotated (x0, x1) in the adjacent layout.
fn interleave(r0: vec, r1: vec) -> array<vec, 2> {
  return array(r0, r1);
}
