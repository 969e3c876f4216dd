/**
 * Test fixtures for the tokenizer: a throwaway GGUF metadata reader (so these tests do not depend on
 * the engine's GGUF reader), the stories260K tokenizers and the golden files.
 */
import { readFileSync } from 'node:fs';
import {
  tokenizerSpecFromLlama2c,
  tokenizerSpecFromMetadata,
  type TokenizerSpec,
} from '../src/tokenizer/index.js';
import { BYTE_TO_CHAR, toByteLevel } from '../src/tokenizer/byte-level.js';
import { preTokenize, preTokenizerRegex } from '../src/tokenizer/pre-tokenizer.js';
import { modelPath } from '@x/test-models';

/** Reads the key/value metadata of a GGUF v2/v3 file (tensor infos are not read). */
export function readGgufMetadata(bytes: Uint8Array): Map<string, unknown> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  let offset = 0;
  const u32 = (): number => ((offset += 4), view.getUint32(offset - 4, true));
  const u64 = (): number => ((offset += 8), Number(view.getBigUint64(offset - 8, true)));
  const str = (): string => {
    const n = u64();
    return decoder.decode(bytes.subarray(offset, (offset += n)));
  };
  const scalars: Record<number, [number, () => unknown]> = {
    0: [1, () => view.getUint8(offset)],
    1: [1, () => view.getInt8(offset)],
    2: [2, () => view.getUint16(offset, true)],
    3: [2, () => view.getInt16(offset, true)],
    4: [4, () => view.getUint32(offset, true)],
    5: [4, () => view.getInt32(offset, true)],
    6: [4, () => view.getFloat32(offset, true)],
    7: [1, () => view.getUint8(offset) !== 0],
    10: [8, () => view.getBigUint64(offset, true)],
    11: [8, () => view.getBigInt64(offset, true)],
    12: [8, () => view.getFloat64(offset, true)],
  };
  const value = (type: number): unknown => {
    if (type === 8) return str();
    if (type === 9) {
      const elementType = u32();
      return Array.from({ length: u64() }, () => value(elementType));
    }
    const scalar = scalars[type];
    if (scalar === undefined) throw new Error(`GGUF: unknown value type ${type} at byte ${offset}`);
    const v = scalar[1]();
    offset += scalar[0];
    return v;
  };
  if (decoder.decode(bytes.subarray(0, 4)) !== 'GGUF') throw new Error('GGUF: bad magic');
  offset = 4;
  u32(); // version
  u64(); // tensor count
  const count = u64();
  const metadata = new Map<string, unknown>();
  for (let i = 0; i < count; i++) {
    const key = str();
    metadata.set(key, value(u32()));
  }
  return metadata;
}

/** Tokenizer spec of stories260K.gguf, through {@link tokenizerSpecFromMetadata}. */
export function ggufSpec(): TokenizerSpec {
  const metadata = readGgufMetadata(readFileSync(modelPath('stories260K.gguf')));
  return tokenizerSpecFromMetadata((key) => metadata.get(key));
}

/** Tokenizer spec of llama2.c's tok512.bin. */
export function llama2cSpec(): TokenizerSpec {
  return tokenizerSpecFromLlama2c(readFileSync(modelPath('tok512.bin')), 'tok512.bin', 512);
}

/** One run.c tokenization from tok512.tokenize-golden.json. */
export interface TokenizeCase {
  text: string;
  ids: number[];
}

/** One greedy run from stories260K.golden.json. */
export interface GoldenRun {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  text: string;
  generated_text: string;
}

/** The golden tokenizations. */
export function tokenizeGolden(): TokenizeCase[] {
  return (
    JSON.parse(readFileSync(modelPath('tok512.tokenize-golden.json'), 'utf8')) as { cases: TokenizeCase[] }
  ).cases;
}

/** The golden greedy runs. */
export function goldenRuns(): GoldenRun[] {
  return (JSON.parse(readFileSync(modelPath('stories260K.golden.json'), 'utf8')) as { runs: GoldenRun[] })
    .runs;
}

/** A byte-level BPE vocabulary: the 256 byte characters, then one piece per merge, then `extra` pieces. */
export interface ByteLevelVocab {
  tokens: string[];
  merges: string[];
}

/**
 * Trains `count` byte-level BPE merges on a corpus: the most frequent adjacent pair within
 * pre-tokenizer words merges next (ties to the smaller pair string, for determinism).
 */
export function trainByteLevelBpe(corpus: string, count: number, pre: string): ByteLevelVocab {
  const words = preTokenize(corpus, preTokenizerRegex(pre)).map((w) => [...toByteLevel(w)]);
  const merges: string[] = [];
  const tokens = [...BYTE_TO_CHAR];
  for (let m = 0; m < count; m++) {
    const counts = new Map<string, number>();
    for (const word of words) {
      for (let i = 1; i < word.length; i++) {
        const key = `${word[i - 1]} ${word[i]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    let best: [string, number] | undefined;
    for (const entry of counts)
      if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
    if (!best) break;
    const [left, right] = best[0].split(' ') as [string, string];
    merges.push(best[0]);
    if (!tokens.includes(left + right)) tokens.push(left + right);
    for (const word of words) {
      for (let i = 1; i < word.length; i++) {
        if (word[i - 1] === left && word[i] === right) word.splice(i - 1, 2, left + right);
      }
    }
  }
  return { tokens, merges };
}

/**
 * Reference BPE, the original GPT-2 loop: merge every occurrence of the lowest-ranked adjacent pair,
 * rescanning after each round. Slow, obviously right; the heap-based encoder must agree with it.
 */
export function naiveBpe(word: string, ranks: ReadonlyMap<string, number>): string[] {
  let parts = [...word];
  for (;;) {
    let best: string | undefined;
    for (let i = 1; i < parts.length; i++) {
      const key = `${parts[i - 1]} ${parts[i]}`;
      const rank = ranks.get(key);
      if (rank !== undefined && (best === undefined || rank < (ranks.get(best) as number))) best = key;
    }
    if (best === undefined) return parts;
    const [left, right] = best.split(' ') as [string, string];
    const next: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === left && parts[i + 1] === right) {
        next.push(left + right);
        i++;
      } else next.push(parts[i] as string);
    }
    parts = next;
  }
}
