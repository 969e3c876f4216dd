/**
 * What the llama.cpp anchor (`tooling/bench-llama-cpp`) is asked to run and
 * what it answers, as JSON on its stdin and stdout. Prompts are token ids, so both engines see exactly the
 * same input; timings are raw, so both engines' figures come from one formula.
 * @module
 */

/** One batch: every prompt is submitted at once; each sequence generates `maxTokens` tokens greedily, EOS ignored. */
export interface BatchRun {
  readonly prompts: readonly (readonly number[])[];
  readonly maxTokens: number;
}

/** When a batch's tokens arrived, in ms since its prompts were submitted. */
export interface BatchTiming {
  /** Per sequence: its first generated token. */
  readonly firstTokenMs: readonly number[];
  /** The batch's last token. */
  readonly lastTokenMs: number;
  /** Per sequence: the generated token ids. */
  readonly tokens: readonly (readonly number[])[];
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
}

/** The answer: one timing per run, and what produced them. */
export interface LlamaCppAnswer {
  readonly nodeLlamaCppVersion: string;
  /** The llama.cpp release the prebuilt binary was built from. */
  readonly llamaCppRelease: string;
  /** The context's flash-attention setting (node-llama-cpp's default, `auto`, lets llama.cpp decide). */
  readonly flashAttention: 'auto' | boolean;
  readonly timings: readonly BatchTiming[];
}
