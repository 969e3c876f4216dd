/**
 * Prometheus metrics with vLLM's names, types, buckets and labels, read from
 * the engine's statistics: gauges and cumulative counters are read when
 * scraped, histograms are fed by the engine's per-request and per-step
 * observations. Each instance has its own registry, so several servers in
 * one process never clash, and nothing here depends on tracing.
 * @module
 */
import type { AsyncEngine, RequestMetrics } from '@x/engine';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  ITERATION_TOKEN_BUCKETS,
  ITL_BUCKETS,
  N_BUCKETS,
  oneTwoFiveBuckets,
  REQUEST_LATENCY_BUCKETS,
  TTFT_BUCKETS,
} from './buckets.js';
import { HttpMetrics } from './http-metrics.js';

/** Options of {@link ServerMetrics}. */
export interface ServerMetricsOptions {
  /** The `model_name` label: the first served name. */
  readonly modelName: string;
}

/** The server's metrics: the `vllm:*` registry, and the HTTP and process metrics beside it. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly http = new HttpMetrics();
  readonly #paramsN: Histogram;
  readonly #paramsMaxTokens: Histogram;
  readonly #maxGenerationTokens: Histogram;
  readonly #unsubscribe: () => void;

  constructor(engine: AsyncEngine, options: ServerMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ model_name: options.modelName, engine: '0' });
    const { stats, scheduler } = engine.core;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect: function () {
          this.set(read());
        },
      });
    // Mirrors an engine counter: the engine owns the value, the scrape copies it.
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect: function () {
          this.reset();
          this.inc(read());
        },
      });

    gauge(
      'vllm:num_requests_running',
      'Number of requests in model execution batches.',
      () => scheduler.numRunning,
    );
    gauge(
      'vllm:num_requests_waiting',
      'Number of requests waiting to be processed.',
      () => scheduler.numWaiting,
    );
    gauge(
      'vllm:kv_cache_usage_perc',
      'KV-cache usage. 1 means 100 percent usage.',
      () => scheduler.kvCacheUsage().usage,
    );
    counter(
      'vllm:prefix_cache_queries_total',
      'Prefix cache queries, in terms of number of queried tokens.',
      () => scheduler.kvCacheUsage().prefixCacheQueries,
    );
    counter(
      'vllm:prefix_cache_hits_total',
      'Prefix cache hits, in terms of number of cached tokens.',
      () => scheduler.kvCacheUsage().prefixCacheHits,
    );
    counter(
      'vllm:num_preemptions_total',
      'Cumulative number of preemption from the engine.',
      () => stats.counters.preemptions,
    );
    counter(
      'vllm:prompt_tokens_total',
      'Number of prefill tokens processed.',
      () => stats.counters.promptTokens,
    );
    counter(
      'vllm:generation_tokens_total',
      'Number of generation tokens processed.',
      () => stats.counters.generationTokens,
    );
    new Counter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: ['finished_reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(stats.counters.finished))
          this.inc({ finished_reason: reason }, count);
      },
    });

    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, buckets, registers });
    const maxLenBuckets = oneTwoFiveBuckets(engine.maxModelLen);
    const promptTokens = histogram(
      'vllm:request_prompt_tokens',
      'Number of prefill tokens processed.',
      maxLenBuckets,
    );
    const generationTokens = histogram(
      'vllm:request_generation_tokens',
      'Number of generation tokens processed.',
      maxLenBuckets,
    );
    this.#paramsMaxTokens = histogram(
      'vllm:request_params_max_tokens',
      'Histogram of the max_tokens request parameter.',
      maxLenBuckets,
    );
    this.#maxGenerationTokens = histogram(
      'vllm:request_max_num_generation_tokens',
      'Histogram of maximum number of requested generation tokens.',
      maxLenBuckets,
    );
    this.#paramsN = histogram('vllm:request_params_n', 'Histogram of the n request parameter.', N_BUCKETS);
    const iterationTokens = histogram(
      'vllm:iteration_tokens_total',
      'Histogram of number of tokens per engine_step.',
      ITERATION_TOKEN_BUCKETS,
    );
    const ttft = histogram(
      'vllm:time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      TTFT_BUCKETS,
    );
    const itl = histogram(
      'vllm:inter_token_latency_seconds',
      'Histogram of inter-token latency in seconds.',
      ITL_BUCKETS,
    );
    const tpot = histogram(
      'vllm:request_time_per_output_token_seconds',
      'Histogram of time_per_output_token_seconds per request.',
      ITL_BUCKETS,
    );
    const latency = (name: string, help: string) => histogram(name, help, REQUEST_LATENCY_BUCKETS);
    const e2e = latency('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.');
    const queue = latency(
      'vllm:request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
    );
    const inference = latency(
      'vllm:request_inference_time_seconds',
      'Histogram of time spent in RUNNING phase for request.',
    );
    const prefill = latency(
      'vllm:request_prefill_time_seconds',
      'Histogram of time spent in PREFILL phase for request.',
    );
    const decode = latency(
      'vllm:request_decode_time_seconds',
      'Histogram of time spent in DECODE phase for request.',
    );

    // vLLM's info gauge: the cache settings as labels (values spelled as vLLM prints them), value 1.
    const cache = scheduler.config;
    new Gauge({
      name: 'vllm:cache_config_info',
      help: 'Information of the LLMEngine CacheConfig',
      labelNames: ['block_size', 'cache_dtype', 'enable_prefix_caching', 'num_gpu_blocks'],
      registers,
    }).set(
      {
        block_size: String(cache.blockSize),
        cache_dtype: 'float32',
        enable_prefix_caching: cache.enablePrefixCaching ? 'True' : 'False',
        num_gpu_blocks: String(cache.numBlocks),
      },
      1,
    );

    const observe = (h: Histogram, value: number | undefined) => {
      if (value !== undefined) h.observe(value);
    };
    this.#unsubscribe = stats.subscribe({
      onRequestFinished(m: RequestMetrics) {
        promptTokens.observe(m.promptTokens);
        generationTokens.observe(m.generationTokens);
        e2e.observe(m.e2eLatency);
        observe(queue, m.queueTime);
        observe(ttft, m.timeToFirstToken);
        observe(prefill, m.prefillTime);
        observe(decode, m.decodeTime);
        observe(inference, m.inferenceTime);
        observe(tpot, m.timePerOutputToken);
      },
      onInterTokenLatency: (seconds) => itl.observe(seconds),
      onStepTokens: (tokens) => iterationTokens.observe(tokens),
    });
  }

  /** Records a request's `n` and `max_tokens` (when given), once per HTTP request. */
  observeRequestParams(n: number, maxTokens: number | undefined): void {
    this.#paramsN.observe(n);
    if (maxTokens !== undefined) this.#paramsMaxTokens.observe(maxTokens);
  }

  /** Records the longest choice of a prompt whose `n` choices have all finished. */
  observeMaxGenerationTokens(tokens: number): void {
    this.#maxGenerationTokens.observe(tokens);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    const [vllm, http] = await Promise.all([this.registry.metrics(), this.http.registry.metrics()]);
    return { text: vllm + http, contentType: this.registry.contentType };
  }

  /** Stops observing the engine. */
  close(): void {
    this.#unsubscribe();
  }
}
