/** Helpers for model-file tests: temp files, small synthetic models, and GGUF rewrites with edits. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGguf } from '../src/model/gguf-reader.js';
import { writeGguf, type GgufTensorSpec } from '../src/model/gguf-writer.js';
import type { GgufEntry } from '../src/model/gguf-metadata.js';
import { writeSyntheticLlamaGguf, type SyntheticLlamaOptions } from '../src/model/synthetic-model.js';

/** A fresh temp folder; `file(name)` gives a path in it, `remove()` deletes it all. */
export function tempDir(): { file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'engine-model-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small llama (dim 64, 2 layers, GQA 4/2, vocab 400) for fast tests. */
export const SMALL: SyntheticLlamaOptions = {
  name: 'small',
  dim: 64,
  hiddenDim: 96,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 400,
  maxSeqLen: 128,
  dtype: 'f32',
  seed: 7,
};

/** Writes {@link SMALL} (with `overrides`) to `path` and returns the path. */
export function writeSmall(path: string, overrides: Partial<SyntheticLlamaOptions> = {}): string {
  writeSyntheticLlamaGguf(path, { ...SMALL, ...overrides });
  return path;
}

/** A GGUF's metadata and tensors, editable, for {@link rewriteGguf}. */
export interface GgufContents {
  metadata: Map<string, GgufEntry>;
  tensors: GgufTensorSpec[];
}

/** Reads `src` whole, lets `edit` change it, writes the result to `dst`. */
export function rewriteGguf(src: string, dst: string, edit: (c: GgufContents) => void): string {
  const file = openGguf(src);
  const contents: GgufContents = {
    metadata: new Map(file.metadata.keys().map((k) => [k, file.metadata.entry(k)!])),
    tensors: file.tensors.map((t) => ({
      name: t.name,
      dims: t.dims,
      type: t.type,
      data: file.readTensor(t.name),
    })),
  };
  file.close();
  edit(contents);
  writeGguf(dst, contents.metadata, contents.tensors);
  return dst;
}

/** Copies `src` to `dst` with `patch` applied to its bytes (for corrupt-file tests). */
export function patchBytes(
  src: string,
  dst: string,
  patch: (bytes: Uint8Array, view: DataView) => Uint8Array | void,
): string {
  const bytes = new Uint8Array(readFileSync(src));
  const out = patch(bytes, new DataView(bytes.buffer)) ?? bytes;
  writeFileSync(dst, out);
  return dst;
}

/** Byte offset of the u32 type id in the tensor table entry of `name` (just after its name, n_dims and dims). */
export function tensorTypeOffset(bytes: Uint8Array, name: string, nDims: number): number {
  const needle = new TextEncoder().encode(name);
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b) && bytes[i - 8] === needle.length)
      return i + needle.length + 4 + 8 * nDims;
  }
  throw new Error(`tensor name ${name} not found`);
}

/** Byte equality without jest's slow element-wise diff of large typed arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
