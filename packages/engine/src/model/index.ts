/**
 * Model files: the GGUF reader and writer, llama2.c checkpoints, the model
 * config and weights in the kernels' layouts, and synthetic test models.
 * @module
 */
export {
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_SUPPORTED_VERSIONS,
  ggmlTypeName,
  type GgmlType,
  type GgufValueType,
} from './gguf-format.js';
export * from './gguf-metadata.js';
export * from './gguf-reader.js';
export * from './gguf-writer.js';
export * from './tensor-codecs.js';
export * from './model-config.js';
export * from './rope-scaling.js';
export * from './model-weights.js';
export * from './gguf-model.js';
export * from './llama2c.js';
export * from './load-model.js';
export * from './synthetic-vocab.js';
export * from './synthetic-model.js';
