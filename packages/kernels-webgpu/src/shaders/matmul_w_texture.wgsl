// The weight tensor's bytes as 16-byte vectors, from a read-only rgba32uint
// storage texture TW texels wide holding them in order (kernels/matmul/
// textures.ts copies them there). On lavapipe a texel load costs one
// instruction per lane where a storage-buffer vec4 costs ~20 (docs/matmul.md).
@group(0) @binding(1) var w: texture_storage_2d<rgba32uint, read>;

fn w_vec(i: u32) -> vec4u {
  return textureLoad(w, vec2u(i % TW, i / TW));
}
