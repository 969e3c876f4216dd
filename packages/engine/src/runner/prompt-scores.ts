/**
 * Prompt log-probabilities: for each prompt position a request asks to have
 * scored, the log-probability of the next prompt token and the most likely
 * alternatives, from the model's output at that position. The classifier runs
 * on those rows in groups that fit one storage binding, and the sampler's
 * keep-tokens pass reads each row's log-softmax (nothing is drawn).
 * @module
 */
import {
  packSamplingParams,
  SAMPLING_PARAMS_WORDS,
  writeTensor,
  type Gpu,
  type GpuTensor,
  type Recorder,
  type SamplingKernel,
  type SamplingParams,
  type TensorArena,
} from '@x/kernels-webgpu';
import type { LlamaForward } from './forward.js';
import type { StepBatch } from './step-inputs.js';

/** What a scheduled entry asks to have scored: its prompt, and how many alternatives per position. */
export interface PromptScoring {
  readonly promptTokenIds: readonly number[];
  /** 0..20 most likely tokens reported beside each prompt token. */
  readonly numLogprobs: number;
}

/** One entry's scored positions in a step. */
export interface ScoredRange {
  /** Index into `output.scheduled`. */
  readonly entry: number;
  /** Prompt position of the first score; position p scores prompt token p + 1. */
  readonly firstPosition: number;
  /** Its first row in {@link PromptScores}' arrays. */
  readonly first: number;
  readonly count: number;
}

/** A step's prompt scores, read back. */
export interface PromptScores {
  readonly ranges: readonly ScoredRange[];
  /** `[rows]` log-probability of each scored token. */
  readonly logprobs: Float32Array;
  /** Columns of the top arrays: the most any entry asked for. */
  readonly topColumns: number;
  /** `[rows, topColumns]` most likely tokens, most likely first; -1 past what an entry asked for. */
  readonly topIds: Int32Array;
  readonly topLogprobs: Float32Array;
}

/** The rows a step scores. */
export interface ScorePlan {
  readonly ranges: readonly ScoredRange[];
  /** `[rows]` packed token row of each scored position. */
  readonly rows: Int32Array;
  /** `[rows]` the prompt token it scores. */
  readonly targets: Int32Array;
  readonly params: readonly SamplingParams[];
  readonly topColumns: number;
}

/** Plans a step's scores; undefined when no entry asks for any this step. */
export function planPromptScores(
  batch: StepBatch,
  queryStart: Int32Array,
  scoringFor: (index: number) => PromptScoring | undefined,
): ScorePlan | undefined {
  const ranges: ScoredRange[] = [];
  const rows: number[] = [];
  const targets: number[] = [];
  const params: SamplingParams[] = [];
  let topColumns = 0;
  batch.scheduled.forEach((e, entry) => {
    const scoring = scoringFor(entry);
    if (!scoring) return;
    const prompt = scoring.promptTokenIds;
    const end = Math.min(e.startPosition + e.numTokens, prompt.length - 1);
    if (end <= e.startPosition) return;
    const param = { temperature: 0, seed: 0, step: 0, numLogprobs: scoring.numLogprobs };
    ranges.push({ entry, firstPosition: e.startPosition, first: rows.length, count: end - e.startPosition });
    for (let p = e.startPosition; p < end; p++) {
      rows.push(queryStart[entry]! + p - e.startPosition);
      targets.push(prompt[p + 1]!);
      params.push(param);
    }
    topColumns = Math.max(topColumns, scoring.numLogprobs);
  });
  if (rows.length === 0) return undefined;
  return { ranges, rows: Int32Array.from(rows), targets: Int32Array.from(targets), params, topColumns };
}

/** Rows per classifier call: a multiple of 64 (so group views keep 256-byte binding offsets). */
const MAX_GROUP = 256;

/** Records a {@link ScorePlan} after the forward pass, and reads its results back. */
export class PromptScorer {
  readonly #gpu: Gpu;
  readonly #arena: TensorArena;
  readonly #forward: LlamaForward;
  readonly #sampler: SamplingKernel;
  readonly #vocab: number;
  readonly #group: number;

  constructor(deps: {
    gpu: Gpu;
    arena: TensorArena;
    forward: LlamaForward;
    sampler: SamplingKernel;
    vocab: number;
  }) {
    this.#gpu = deps.gpu;
    this.#arena = deps.arena;
    this.#forward = deps.forward;
    this.#sampler = deps.sampler;
    this.#vocab = deps.vocab;
    const fit = Math.floor(deps.gpu.limits.maxStorageBufferBindingSize / (4 * deps.vocab));
    this.#group = Math.floor(Math.min(MAX_GROUP, fit) / 64) * 64;
  }

  /** Records the plan's classifier and log-softmax passes; returns the tensors to read back, in order. */
  record(rec: Recorder, plan: ScorePlan): GpuTensor[] {
    if (this.#group < 64) throw new Error(`prompt logprobs: a vocabulary of ${this.#vocab} is too wide`);
    const a = this.#arena;
    const n = plan.rows.length;
    const cols = plan.topColumns;
    const rows = a.get('scoreRows', 'i32', [n]);
    const tokens = a.get('scoreTokens', 'i32', [n]);
    const params = a.get('scoreParams', 'u32', [n, SAMPLING_PARAMS_WORDS]);
    const packed = new ArrayBuffer(params.byteLength);
    packSamplingParams(plan.params, new DataView(packed));
    writeTensor(this.#gpu, rows, plan.rows);
    writeTensor(this.#gpu, tokens, plan.targets);
    writeTensor(this.#gpu, params, new Uint32Array(packed));
    const logprobs = a.get('scoreLogprobs', 'f32', [n]);
    const top = cols > 0 && {
      topIds: a.get('scoreTopIds', 'i32', [n, cols]),
      topLogprobs: a.get('scoreTopLogprobs', 'f32', [n, cols]),
    };
    const logits = a.get('scoreLogits', 'f32', [this.#group, this.#vocab]);
    for (let first = 0; first < n; first += this.#group) {
      const count = Math.min(this.#group, n - first);
      const rowsOf = (t: GpuTensor) => groupView(t, first, count);
      const groupLogits = { ...logits, shape: [count, this.#vocab], byteLength: count * this.#vocab * 4 };
      this.#forward.recordHead(rec, rowsOf(rows), groupLogits, 'scoreLast');
      const out = {
        tokens: rowsOf(tokens),
        logprobs: rowsOf(logprobs),
        ...(top && { topIds: rowsOf(top.topIds), topLogprobs: rowsOf(top.topLogprobs) }),
      };
      this.#sampler.record(rec, groupLogits, rowsOf(params), out, count, this.#vocab, { keepTokens: true });
    }
    return top ? [logprobs, top.topIds, top.topLogprobs] : [logprobs];
  }

  /** The plan's results from `host`, where {@link record}'s tensors were copied in order from `at`. */
  static read(plan: ScorePlan, host: ArrayBuffer, at: number): PromptScores {
    const n = plan.rows.length;
    const cols = plan.topColumns;
    return {
      ranges: plan.ranges,
      logprobs: new Float32Array(host, at, n),
      topColumns: cols,
      topIds: new Int32Array(host, at + 4 * n, n * cols),
      topLogprobs: new Float32Array(host, at + 4 * n + 4 * n * cols, n * cols),
    };
  }
}

/** Rows [first, first + count) of a row-major tensor, as a tensor of its own. */
function groupView(t: GpuTensor, first: number, count: number): GpuTensor {
  const rowBytes = t.byteLength / t.shape[0]!;
  return {
    ...t,
    offset: t.offset + first * rowBytes,
    shape: [count, ...t.shape.slice(1)],
    byteLength: count * rowBytes,
  };
}
