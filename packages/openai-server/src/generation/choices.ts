/**
 * The choices of one response as the engine's outputs arrive: text so far,
 * log-probabilities, finish reasons and token counts, plus what each new
 * output adds (the delta a stream chunk carries).
 * @module
 */
import type { GenerationOutput, TokenLogprob } from '@x/engine';
import type { ServerRequestResult } from '../hooks.js';

/** An engine output, placed among the response's choices (`prompt × n + index`). */
export interface ChoiceOutput {
  readonly choice: number;
  /** Which prompt of a batched completions request it answers. */
  readonly prompt: number;
  readonly output: GenerationOutput;
}

/** One choice so far. */
export interface ChoiceState {
  readonly index: number;
  /** Which prompt of a batched completions request it answers (known once an output arrived). */
  prompt: number;
  text: string;
  /** Where the generated text starts in {@link text}: after the echoed prompt, if any. */
  generatedFrom: number;
  readonly logprobs: TokenLogprob[];
  /** The prompt's scores, when they were asked for: one per prompt token, the first null. */
  promptLogprobs: readonly (TokenLogprob | null)[] | undefined;
  finishReason: string | null;
  stopReason: string | number | undefined;
  completionTokens: number;
}

/** What one output added to its choice. */
export interface ChoiceDelta {
  readonly state: ChoiceState;
  /** The choice's first output. */
  readonly first: boolean;
  /** New text, including the echoed prompt on the first output. */
  readonly text: string;
  /** Where the output's generated text starts in the choice's text. */
  readonly offset: number;
}

/** OpenAI's `usage`. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Accumulates the choices of a response. */
export class ChoiceTracker {
  readonly choices: readonly ChoiceState[];
  readonly #started: boolean[];
  readonly #prefix: (prompt: number) => string;

  /** `prefix(prompt)` is text each choice of that prompt starts with (the prompt itself, for `echo`). */
  constructor(count: number, prefix: (prompt: number) => string = () => '') {
    this.choices = Array.from({ length: count }, (_, index) => ({
      index,
      prompt: 0,
      text: '',
      generatedFrom: 0,
      logprobs: [],
      promptLogprobs: undefined,
      finishReason: null,
      stopReason: undefined,
      completionTokens: 0,
    }));
    this.#started = new Array<boolean>(count).fill(false);
    this.#prefix = prefix;
  }

  /** Adds an output to its choice. */
  add({ choice, prompt, output }: ChoiceOutput): ChoiceDelta {
    const state = this.choices[choice]!;
    const first = !this.#started[choice];
    this.#started[choice] = true;
    const text = (first ? this.#prefix(prompt) : '') + output.text;
    const offset = state.text.length + text.length - output.text.length;
    if (first) state.generatedFrom = text.length - output.text.length;
    state.text += text;
    state.prompt = prompt;
    if (output.promptLogprobs) state.promptLogprobs = output.promptLogprobs;
    if (output.logprobs) state.logprobs.push(...output.logprobs);
    state.completionTokens = output.usage.completionTokens;
    if (output.finished) {
      state.finishReason = output.finishReason;
      state.stopReason = output.stopReason;
    }
    return { state, first, text, offset };
  }

  /** Tokens generated over all choices. */
  get completionTokens(): number {
    return this.choices.reduce((sum, c) => sum + c.completionTokens, 0);
  }

  /** The hooks' summary of the response. */
  result(): ServerRequestResult {
    return {
      completionTokens: this.completionTokens,
      finishReasons: this.choices.map((c) => c.finishReason),
    };
  }

  /** The response's `usage`. */
  usage(promptTokens: number): Usage {
    const completion = this.completionTokens;
    return {
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
    };
  }
}
