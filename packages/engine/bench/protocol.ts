/**
 * What the llama.cpp anchor (`tooling/bench-llama-cpp`) is asked to run and
 * what it answers, as JSON on its stdin and stdout, and the recorder both
 * engines time their batches with. Prompts are token ids, so both engines see
 * exactly the same input; timings are raw, so both engines' figures come from
 * one formula.
 * @module
 */
import { cpuUsage } from 'node:process';

/** One batch: every prompt is submitted at once; each sequence generates `maxTokens` tokens greedily, EOS ignored. */
export interface BatchRun {
  readonly prompts: readonly (readonly number[])[];
  readonly maxTokens: number;
}

/** When a batch's tokens arrived, in ms since its prompts were submitted, and the CPU time it took. */
export interface BatchTiming {
  /** Per sequence: its first generated token. */
  readonly firstTokenMs: readonly number[];
  /** The batch's last token. */
  readonly lastTokenMs: number;
  /** Per sequence: the generated token ids. */
  readonly tokens: readonly (readonly number[])[];
  /** CPU time of the whole process (every thread) over the batch, ms. */
  readonly cpuMs: number;
  /** Of which after every sequence had its first token (the decode phase). */
  readonly decodeCpuMs: number;
}

/** A model and the batches to run on it, in order. */
export interface LlamaCppJob {
  readonly modelPath: string;
  /** CPU threads for llama.cpp. */
  readonly threads: number;
  /** Parallel sequences of the context: the most prompts any run has. */
  readonly sequences: number;
  /** KV cells per sequence: the longest prompt plus generation of any run. */
  readonly contextSize: number;
  /** Most tokens per `llama_decode` call. */
  readonly batchSize: number;
  readonly runs: readonly BatchRun[];
  /** A token sequence to score after the runs (see {@link LlamaCppAnswer.scores}). */
  readonly score?: readonly number[];
}

/** The answer: one timing per run, and what produced them. */
export interface LlamaCppAnswer {
  readonly nodeLlamaCppVersion: string;
  /** The llama.cpp release the prebuilt binary was built from. */
  readonly llamaCppRelease: string;
  /** The context's flash-attention setting (node-llama-cpp's default, `auto`, lets llama.cpp decide). */
  readonly flashAttention: 'auto' | boolean;
  readonly timings: readonly BatchTiming[];
  /** With `score`: the log-probability of each of its tokens after those before it, from the second on. */
  readonly scores?: readonly number[];
}

/** Records one batch's token arrivals; create it right before submitting the prompts. */
export class BatchRecorder {
  readonly #t0 = performance.now();
  readonly #cpu0 = cpuUsage();
  #cpuAtDecode: NodeJS.CpuUsage | undefined;
  readonly #first: number[];
  readonly #tokens: number[][];
  #started = 0;
  #last = 0;

  constructor(sequences: number) {
    this.#first = Array.from({ length: sequences }, () => NaN);
    this.#tokens = Array.from({ length: sequences }, () => []);
  }

  /** Sequence `seq` produced `ids` (in order) just now. */
  tokens(seq: number, ids: readonly number[]): void {
    const t = performance.now() - this.#t0;
    const out = this.#tokens[seq]!;
    if (out.length === 0 && ids.length > 0) {
      this.#first[seq] = t;
      if (++this.#started === this.#first.length) this.#cpuAtDecode = cpuUsage();
    }
    out.push(...ids);
    this.#last = t;
  }

  /** The timing, once every sequence has finished. */
  finish(): BatchTiming {
    const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    const end = cpuUsage();
    return {
      firstTokenMs: this.#first,
      lastTokenMs: this.#last,
      tokens: this.#tokens,
      cpuMs: ms(cpuUsage(this.#cpu0)),
      decodeCpuMs: this.#cpuAtDecode ? ms(end) - ms(this.#cpuAtDecode) : 0,
    };
  }
}
