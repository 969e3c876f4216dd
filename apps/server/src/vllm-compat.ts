/**
 * vLLM flags that choose something x-serve does one way only (compute and
 * KV-cache dtypes, quantization, parallelism, CUDA graphs, remote code,
 * tool calling). A value that means what x-serve does is accepted; one that
 * cannot apply here is accepted with one warning line saying why; one that
 * cannot be honoured is refused, so a launch script never gets a server
 * other than the one it asked for.
 * @module
 */
import { configKey, type OptionSpec } from './option-specs.js';
import { ConfigError, type ResolvedOptions } from './resolve-config.js';

const F32 = ['auto', 'float32', 'float', 'fp32'];

/**
 * The warning lines for accepted flags that have no effect here; throws a
 * {@link ConfigError} naming the flag for a value that cannot be honoured.
 */
export function checkVllmFlags(settings: ResolvedOptions): string[] {
  const s = settings as Record<string, string | number | boolean | undefined>;
  const refuse = (flag: string, why: string) => {
    throw new ConfigError(
      `--${flag} ${String(s[configKey({ name: flag } as OptionSpec)])} cannot be honoured: ${why}`,
    );
  };
  if (!F32.includes(String(s.dtype)))
    refuse(
      'dtype',
      "x-serve computes in float32 (the weights keep the model file's types); use auto or float32",
    );
  if (!F32.includes(String(s.kvCacheDtype)))
    refuse('kv-cache-dtype', 'the KV cache is stored as float32; use auto or float32');
  if (s.quantization !== undefined && s.quantization !== 'gguf')
    refuse('quantization', "the weights' types come from the model file (GGUF); use gguf or leave it unset");
  if (s.tensorParallelSize !== undefined && s.tensorParallelSize !== 1)
    refuse('tensor-parallel-size', 'x-serve serves a model on one device; use 1');
  if (s.enableAutoToolChoice === true || s.toolCallParser !== undefined) {
    const flag = s.toolCallParser !== undefined ? '--tool-call-parser' : '--enable-auto-tool-choice';
    throw new ConfigError(`${flag}: tool calling is not supported yet`);
  }
  if ((s.sslKeyfile === undefined) !== (s.sslCertfile === undefined))
    throw new ConfigError('--ssl-keyfile and --ssl-certfile go together: give both to serve HTTPS');
  const warnings: string[] = [];
  const ignored = (flag: string, value: unknown, why: string) =>
    warnings.push(`--${flag}${value === true ? '' : ` ${String(value)}`} is ignored: ${why}`);
  if (s.gpuMemoryUtilization !== undefined)
    ignored(
      'gpu-memory-utilization',
      s.gpuMemoryUtilization,
      'WebGPU adapters do not report their memory; the KV cache is sized by --kv-cache-memory or --num-gpu-blocks',
    );
  if (s.tensorParallelSize === 1) ignored('tensor-parallel-size', 1, 'one device serves the model');
  if (s.enforceEager === true)
    ignored(
      'enforce-eager',
      true,
      'there are no CUDA graphs; GPU pipelines are built at start-up (--warmup)',
    );
  if (s.trustRemoteCode === true) ignored('trust-remote-code', true, 'model files carry no code');
  return warnings;
}
