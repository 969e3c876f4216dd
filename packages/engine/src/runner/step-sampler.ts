/**
 * A step's draw: the sampled rows' parameters, the sampler, and the
 * penalties and logit bias when a row has them.
 * @module
 */
import {
  hasPenalties,
  packPenalties,
  PenaltyKernel,
  SamplingKernel,
  SamplingParamsBuffer,
  writeTensor,
  type Gpu,
  type GpuTensor,
  type KernelContext,
  type LogitPenalties,
  type PackedPenalties,
  type Recorder,
  type SamplingOutputs,
  type SamplingParams,
  type TensorArena,
} from '@x/kernels-webgpu';

/** One sampled sequence's parameters for a step, with its penalties and bias when it has any. */
export interface StepSampling extends SamplingParams {
  readonly penalties?: LogitPenalties;
}

/** The penalty kernel's inputs for a step, uploaded. */
interface PenaltyTensors {
  readonly rows: GpuTensor;
  readonly entries: GpuTensor;
}

/** Samples the rows of a step; one per runner. */
export class StepSampler {
  /** The sampling kernel, shared with the prompt scorer. */
  readonly kernel: SamplingKernel;
  readonly #gpu: Gpu;
  readonly #arena: TensorArena;
  readonly #vocab: number;
  readonly #penaltyKernel: PenaltyKernel;
  readonly #params: SamplingParamsBuffer;
  #rows: readonly StepSampling[] = [];
  /** The written rows' packed penalties; undefined when no row has any. */
  #penalties: PenaltyTensors | undefined;

  constructor(ctx: KernelContext, arena: TensorArena, maxNumSeqs: number, vocab: number) {
    this.#gpu = ctx.gpu;
    this.#arena = arena;
    this.#vocab = vocab;
    this.kernel = new SamplingKernel(ctx);
    this.#penaltyKernel = new PenaltyKernel(ctx);
    this.#params = new SamplingParamsBuffer(ctx.gpu, maxNumSeqs);
  }

  /**
   * Packs the sampled rows' parameters (with penalties and bias when a row has any), in row
   * order, and queues their upload. Checks every row before anything is uploaded: a value the
   * kernels cannot take throws the kernels' `SamplingRowError`, naming the row.
   */
  write(rows: readonly StepSampling[]): void {
    const packed = rows.some((p) => hasPenalties(p.penalties))
      ? packPenalties(
          rows.map((p) => p.penalties),
          this.#vocab,
        )
      : undefined;
    this.#params.write(rows);
    this.#rows = rows;
    this.#penalties = packed && this.#upload(packed);
  }

  /**
   * Records the draw of the {@link write}-n rows from `logits`. When some row has penalties or a
   * logit bias, the tokens are drawn from a penalized copy of the logits and the log-probabilities
   * come from the raw ones, as vLLM returns them; rows without penalties draw from an unchanged
   * copy, so they sample exactly as they would alone.
   */
  record(rec: Recorder, logits: GpuTensor, out: SamplingOutputs): void {
    const n = this.#rows.length;
    const vocab = this.#vocab;
    const params = this.#params.tensor;
    const packed = this.#penalties;
    if (!packed) {
      this.kernel.record(rec, logits, params, out, n, vocab);
      return;
    }
    const penalized = this.#arena.get('penalizedLogits', 'f32', [n, vocab]);
    rec.endPass();
    rec.encoder.copyBufferToBuffer(
      logits.buffer,
      logits.offset,
      penalized.buffer,
      penalized.offset,
      n * vocab * 4,
    );
    this.#penaltyKernel.record(rec, penalized, packed.rows, packed.entries, n, vocab);
    this.kernel.record(rec, penalized, params, out, n, vocab);
    this.kernel.record(rec, logits, params, out, n, vocab, { keepTokens: true });
  }

  #upload(packed: PackedPenalties): PenaltyTensors {
    const a = this.#arena;
    const rows = a.get('penaltyRows', 'u32', [packed.rows.length]);
    const entries = a.get('penaltyEntries', 'u32', [packed.entries.length]);
    writeTensor(this.#gpu, rows, packed.rows);
    writeTensor(this.#gpu, entries, packed.entries);
    return { rows, entries };
  }

  destroy(): void {
    this.kernel.destroy();
    this.#params.destroy();
  }
}
