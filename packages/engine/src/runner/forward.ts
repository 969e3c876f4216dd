/**
 * The llama forward pass, recorded kernel by kernel into one command encoder:
 * embeddings, then per layer attention over the paged KV cache and a SwiGLU
 * FFN, then the final norm and classifier over the sampled rows only.
 * @module
 */
import {
  AddKernel,
  EmbeddingKernel,
  KvCacheWriteKernel,
  MatmulKernel,
  PagedAttentionKernel,
  RmsNormKernel,
  RopeKernel,
  SwiGluKernel,
  TensorArena,
  type GpuTensor,
  type KernelContext,
  type Recorder,
} from '@x/kernels-webgpu';
import type { ModelConfig } from '../model/model-config.js';
import type { GpuWeights } from './gpu-weights.js';
import type { KvCache } from './kv-cache.js';

/** The step's index tensors on the GPU (see `StepInputs` for their meaning). */
export interface ForwardInputs {
  readonly numTokens: number;
  readonly numSampled: number;
  readonly maxContextLen: number;
  readonly tokenIds: GpuTensor;
  readonly positions: GpuTensor;
  readonly slotMapping: GpuTensor;
  readonly queryStart: GpuTensor;
  readonly contextLens: GpuTensor;
  readonly blockTables: GpuTensor;
  readonly sampleRows: GpuTensor;
}

/** A llama-family decoder on the kernels; owns its kernels and its activation arena. */
export class LlamaForward {
  readonly #config: ModelConfig;
  readonly #weights: GpuWeights;
  readonly #kv: KvCache;
  readonly #arena: TensorArena;
  /** The residual stream of the last recorded pass, for {@link recordHead}. */
  #h: GpuTensor | undefined;
  readonly #embed: EmbeddingKernel;
  readonly #norm: RmsNormKernel;
  readonly #rope: RopeKernel;
  readonly #kvWrite: KvCacheWriteKernel;
  readonly #attention: PagedAttentionKernel;
  readonly #matmul: MatmulKernel;
  readonly #swiglu: SwiGluKernel;
  readonly #add: AddKernel;

  constructor(ctx: KernelContext, config: ModelConfig, weights: GpuWeights, kv: KvCache) {
    this.#config = config;
    this.#weights = weights;
    this.#kv = kv;
    this.#arena = new TensorArena(ctx.gpu);
    this.#embed = new EmbeddingKernel(ctx);
    this.#norm = new RmsNormKernel(ctx);
    this.#rope = new RopeKernel(ctx, {
      layout: config.ropeStyle,
      base: config.ropeTheta,
      headDim: config.headDim,
      freqFactors: config.ropeFreqFactors,
    });
    this.#kvWrite = new KvCacheWriteKernel(ctx);
    this.#attention = new PagedAttentionKernel(ctx, {
      numHeads: config.nHeads,
      numKvHeads: config.nKvHeads,
      headDim: config.headDim,
    });
    this.#matmul = new MatmulKernel(ctx);
    this.#swiglu = new SwiGluKernel(ctx);
    this.#add = new AddKernel(ctx);
  }

  /** Records the whole pass; returns the f32 logits `[numSampled, vocab]` of the sampled rows. */
  record(rec: Recorder, input: ForwardInputs): GpuTensor {
    const c = this.#config;
    const w = this.#weights;
    const a = this.#arena;
    const T = input.numTokens;
    const qDim = c.nHeads * c.headDim;
    const kvDim = c.nKvHeads * c.headDim;
    const eps = c.normEps;

    const h = a.get('h', 'f32', [T, c.dim]); // residual stream
    this.#h = h;
    const x = a.get('x', 'f32', [T, c.dim]); // normed input of the current sub-block
    const q = a.get('q', 'f32', [T, qDim]);
    const k = a.get('k', 'f32', [T, kvDim]);
    const v = a.get('v', 'f32', [T, kvDim]);
    const attn = a.get('attn', 'f32', [T, qDim]);
    // Projections land in q and k directly, or in scratch that the Q/K norms read from.
    const qProj = c.qkNorm ? a.get('qProj', 'f32', [T, qDim]) : q;
    const kProj = c.qkNorm ? a.get('kProj', 'f32', [T, kvDim]) : k;
    const delta = a.get('delta', 'f32', [T, c.dim]); // a sub-block's output, added to h
    const gate = a.get('gate', 'f32', [T, c.hiddenDim]);
    const up = a.get('up', 'f32', [T, c.hiddenDim]);
    const act = a.get('act', 'f32', [T, c.hiddenDim]);
    // Head-shaped views of the same buffers, for RoPE, the KV write and attention.
    const q3 = headView(q, T, c.nHeads, c.headDim);
    const k3 = headView(k, T, c.nKvHeads, c.headDim);
    const v3 = headView(v, T, c.nKvHeads, c.headDim);
    const attn3 = headView(attn, T, c.nHeads, c.headDim);

    this.#embed.record(rec, input.tokenIds, w.tokenEmbedding, h);
    for (let l = 0; l < c.nLayers; l++) {
      const lw = w.layers[l]!;
      // Attention sub-block: x = norm(h); h += wo · attention(rope(wq x), rope(wk x), wv x).
      if (l === 0) this.#norm.record(rec, h, lw.attnNorm, x, eps);
      else this.#norm.recordResidual(rec, h, delta, lw.attnNorm, x, eps);
      this.#matmul.record(rec, x, lw.wq, qProj, { bias: lw.bq });
      this.#matmul.record(rec, x, lw.wk, kProj, { bias: lw.bk });
      this.#matmul.record(rec, x, lw.wv, v, { bias: lw.bv });
      if (c.qkNorm) {
        // qwen3: RMSNorm each head of q and k (rows of headDim) before RoPE.
        this.#norm.record(rec, headRows(qProj, c.headDim), lw.qNorm!, headRows(q, c.headDim), eps);
        this.#norm.record(rec, headRows(kProj, c.headDim), lw.kNorm!, headRows(k, c.headDim), eps);
      }
      this.#rope.record(rec, q3, k3, input.positions);
      this.#kvWrite.record(rec, k3, v3, input.slotMapping, this.#kv.k[l]!, this.#kv.v[l]!);
      this.#attention.record(
        rec,
        {
          q: q3,
          kCache: this.#kv.k[l]!,
          vCache: this.#kv.v[l]!,
          queryStart: input.queryStart,
          contextLens: input.contextLens,
          blockTables: input.blockTables,
          out: attn3,
        },
        { maxContextLen: input.maxContextLen },
      );
      this.#matmul.record(rec, attn, lw.wo, delta);
      // FFN sub-block: x = norm(h += delta); h += wDown · (silu(wGate x) * wUp x).
      this.#norm.recordResidual(rec, h, delta, lw.ffnNorm, x, eps);
      this.#matmul.record(rec, x, lw.wGate, gate);
      this.#matmul.record(rec, x, lw.wUp, up);
      this.#swiglu.record(rec, gate, up, act);
      this.#matmul.record(rec, act, lw.wDown, delta);
    }
    // Only the sampled rows need the final norm and the (vocab-wide) classifier.
    this.#add.recordInPlace(rec, h, delta, T * c.dim);
    const logits = a.get('logits', 'f32', [input.numSampled, c.vocabSize]);
    this.recordHead(rec, input.sampleRows, logits, 'last');
    return logits;
  }

  /**
   * Records the final norm and the classifier for the hidden states of `rows` (i32 row indices of
   * the pass just recorded) into `logits` `[rows, vocab]`. `scratch` names the arena tensors used,
   * so callers with other row counts keep their own (and their bind groups).
   */
  recordHead(rec: Recorder, rows: GpuTensor, logits: GpuTensor, scratch: string): void {
    const c = this.#config;
    const n = rows.shape[0]!;
    const h = this.#h;
    if (!h) throw new Error('recordHead: no pass recorded yet');
    const gathered = this.#arena.get(scratch, 'f32', [n, c.dim]);
    const normed = this.#arena.get(`${scratch}Normed`, 'f32', [n, c.dim]);
    this.#embed.record(rec, rows, h, gathered);
    this.#norm.record(rec, gathered, this.#weights.outputNorm, normed, c.normEps);
    this.#matmul.record(rec, normed, this.#weights.output, logits);
  }

  /** Bytes of activations held (grows to the largest step seen). */
  get activationBytes(): number {
    return this.#arena.bytes;
  }

  destroy(): void {
    this.#arena.destroy();
    this.#rope.destroy();
    this.#matmul.destroy();
  }
}

function headView(t: GpuTensor, tokens: number, heads: number, headDim: number): GpuTensor {
  return { ...t, shape: [tokens, heads, headDim] };
}

/** `[T, heads * headDim]` as `[T * heads, headDim]`: one row per head. */
function headRows(t: GpuTensor, headDim: number): GpuTensor {
  return { ...t, shape: [(t.shape[0]! * t.shape[1]!) / headDim, headDim] };
}
