/** Benchmark rows for the paged-attention kernel. */
import { PagedAttentionKernel, type PagedAttentionOptions } from '../dist/index.js';
import { randomPagedBatch, rng, uploadPagedBatch, type PagedSeqSpec } from '../dist/testing/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

interface Case {
  readonly model: string;
  readonly heads: Pick<PagedAttentionOptions, 'numHeads' | 'numKvHeads' | 'headDim'>;
  readonly seqs: readonly PagedSeqSpec[];
  readonly blockSize: number;
}

const LLAMA = { numHeads: 32, numKvHeads: 32, headDim: 128 };
const GQA = { numHeads: 32, numKvHeads: 8, headDim: 128 };
const TINY = { numHeads: 8, numKvHeads: 4, headDim: 8 };

function cases(quick: boolean): Case[] {
  const decode = (
    model: string,
    heads: Case['heads'],
    contextLen: number,
    blockSize: number,
    n = 1,
  ): Case => ({
    model,
    heads,
    seqs: Array<PagedSeqSpec>(n).fill({ queryLen: 1, contextLen }),
    blockSize,
  });
  const prefill = (model: string, heads: Case['heads'], queryLen: number, contextLen: number): Case => ({
    model,
    heads,
    seqs: [{ queryLen, contextLen }],
    blockSize: 16,
  });
  if (quick)
    return [
      decode('llama', LLAMA, 512, 16),
      decode('llama', LLAMA, 512, 2048),
      prefill('tiny', TINY, 64, 256),
    ];
  return [
    ...[512, 2048].flatMap((ctx) => [16, 2048].map((bs) => decode('llama', LLAMA, ctx, bs))),
    decode('llama', LLAMA, 512, 16, 8),
    decode('gqa-8', GQA, 2048, 16),
    prefill('llama', LLAMA, 512, 2048),
    decode('tiny', TINY, 2048, 16),
    decode('tiny', TINY, 2048, 2048),
    prefill('tiny', TINY, 512, 2048),
  ];
}

export async function attentionRows(env: BenchEnv): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of cases(env.quick)) {
    const batch = randomPagedBatch({ ...c.heads, seqs: c.seqs, blockSize: c.blockSize }, rng(1));
    const tensors = uploadPagedBatch(env.gpu, batch);
    const kernel = new PagedAttentionKernel(env.ctx, c.heads);
    const us = await env.time((rec) => kernel.record(rec, tensors), env.quick ? 2 : 5);
    const { numHeads, numKvHeads, headDim } = c.heads;
    // Keys each query token sees, summed: K and V are read once per kv head, q and out once.
    let keys = 0;
    let pairs = 0;
    for (const s of c.seqs) {
      keys += s.contextLen;
      for (let i = 0; i < s.queryLen; i++) pairs += s.contextLen - s.queryLen + i + 1;
    }
    const bytes = 4 * headDim * (2 * keys * numKvHeads + 2 * batch.numTokens * numHeads);
    const n = c.seqs.length;
    const tokens = n > 1 ? `${n}×` : '';
    const shape = `${c.model} T=${tokens}${c.seqs[0]!.queryLen} ctx ${c.seqs[0]!.contextLen} bs ${c.blockSize}`;
    rows.push({
      kernel: 'paged attention',
      shape,
      usPerCall: us,
      bytes,
      flops: 4 * pairs * numHeads * headDim,
    });
    kernel.destroy();
    for (const t of Object.values(tensors)) t.buffer.destroy();
  }
  return rows;
}
