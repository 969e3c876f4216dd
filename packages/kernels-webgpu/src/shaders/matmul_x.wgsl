// Activations x: f32 [t, k] read as vec4 (needs k % 4 == 0, so rows start 16-byte aligned).
@group(0) @binding(2) var<storage, read> x: array<vec4f>;

// x[t, k..k+3]; k % 4 == 0.
fn x_quad(t: u32, k: u32) -> vec4f {
  return x[(t * p.k + k) / 4u];
}

fn x_one(t: u32, k: u32) -> f32 {
  let i = t * p.k + k;
  return x[i / 4u][i % 4u];
}
