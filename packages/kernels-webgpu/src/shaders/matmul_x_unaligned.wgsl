// Activations x: f32 [t, k] read element by element (any k).
@group(0) @binding(2) var<storage, read> x: array<f32>;

// x[t, k..k+3]; k % 4 == 0 and k + 3 < p.k.
fn x_quad(t: u32, k: u32) -> vec4f {
  let i = t * p.k + k;
  return vec4f(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
}

fn x_one(t: u32, k: u32) -> f32 {
  return x[t * p.k + k];
}
