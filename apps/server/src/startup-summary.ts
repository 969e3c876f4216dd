/**
 * What the server says when it is ready: the model, its shape and storage,
 * the GPU adapter, the KV cache, where it listens, whether `/v1` needs an API
 * key (never the key) and what the active extensions add (the tracing
 * endpoint, the journey viewer's page).
 * @module
 */
import type { Engine, WeightTensor } from '@x/engine';

/** The start-up facts, also logged as one structured line. */
export interface StartupSummary {
  readonly model: string;
  readonly servedModelName: string;
  readonly architecture: string;
  readonly parameters: number;
  readonly dtype: string;
  readonly adapter: string;
  readonly kvBlocks: number;
  readonly blockSize: number;
  readonly kvTokens: number;
  readonly kvBytes: number;
  readonly maxModelLen: number;
  readonly url: string;
  /** Loading the weights, allocating the KV cache and the warm-up steps, as vLLM's "init engine" line. */
  readonly initEngineMs: number;
  /** Whether `/v1` needs an API key; the key itself is never part of the summary. */
  readonly apiKey: boolean;
  /** Rows the active extensions add, by label. */
  readonly extensions: Readonly<Record<string, string>>;
}

/** Collects the summary of a running engine. */
export function startupSummary(
  engine: Engine,
  facts: Pick<StartupSummary, 'model' | 'servedModelName' | 'url' | 'initEngineMs' | 'apiKey' | 'extensions'>,
): StartupSummary {
  const { config, weights } = engine.model;
  const tensors = new Set<WeightTensor>([
    weights.tokenEmbedding,
    weights.outputNorm,
    weights.output,
    ...weights.layers.flatMap((layer) => Object.values(layer) as WeightTensor[]),
  ]);
  const count = (t: WeightTensor) => t.shape[0] * t.shape[1];
  const matrixTypes = new Set(weights.layers.map((l) => l.wq.dtype));
  const { adapterInfo } = engine.runner.gpu;
  const kv = engine.runner.kvCache;
  return {
    ...facts,
    architecture: config.arch,
    parameters: [...tensors].reduce((sum, t) => sum + count(t), 0),
    dtype: [...matrixTypes].join('+'),
    adapter: [adapterInfo.vendor, adapterInfo.device || adapterInfo.description, adapterInfo.architecture]
      .filter(Boolean)
      .join(' / '),
    kvBlocks: kv.numBlocks,
    blockSize: kv.blockSize,
    kvTokens: kv.numTokens,
    kvBytes: kv.bytes,
    maxModelLen: engine.maxModelLen,
  };
}

/** The summary as aligned lines for a terminal. */
export function formatSummary(s: StartupSummary): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const rows: [string, string][] = [
    ['model', `${s.servedModelName} (${s.model})`],
    ['architecture', `${s.architecture}, ${s.parameters.toLocaleString('en-US')} parameters, ${s.dtype}`],
    ['context', `${s.maxModelLen} tokens`],
    ['adapter', s.adapter || 'unknown'],
    ['KV cache', `${s.kvBlocks} blocks × ${s.blockSize} tokens = ${s.kvTokens} tokens (${mib(s.kvBytes)})`],
    ['init engine', `${(s.initEngineMs / 1000).toFixed(1)} s (weights, KV cache, warm-up)`],
    ['listening', s.url],
    ['API key', s.apiKey ? 'set: /v1 needs it' : 'not set: /v1 is open'],
    ...Object.entries(s.extensions),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)} ${v}`).join('\n');
}
