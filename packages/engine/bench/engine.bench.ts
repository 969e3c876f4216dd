/**
 * `pnpm --filter @x/engine bench`: decode tokens/s at 1, 8, 32 and 64
 * concurrent sequences and prefill tokens/s, for this engine and for
 * llama.cpp (CPU; 2 threads, and 1) on the same GGUF files with the same
 * prompts, plus where our decode steps spend their time, and how closely
 * both engines agree on the log-probabilities of one scored sequence, and the
 * tokenizer's MB/s on a multi-MB text. X_BENCH_QUICK=1 runs a short smoke version.
 *
 * Runs under Node's type stripping against the built package (`../dist`).
 */
import { createGpu } from '@x/kernels-webgpu';
import { benchLlamaCpp } from './llama-cpp.ts';
import { stories260K, syntheticModel, type BenchModel } from './models.ts';
import { benchOurs } from './ours.ts';
import { SCORING_HEAD, scoreOurs, scoringRow } from './scoring.ts';
import type { BatchTiming } from './protocol.ts';
import {
  agreement,
  describeMachine,
  loadLine,
  OVERHEAD_HEAD,
  overheadRow,
  printTable,
  printThroughput,
  readbackFloorUs,
  type ThroughputRow,
} from './report.ts';
import { benchTokenizers, TOKENIZER_HEAD } from './tokenizer.ts';
import { planRows, rowFigures, type RowPlan, type WorkloadSizes } from './workload.ts';

const quick = process.env.X_BENCH_QUICK === '1';
const MAX_SEQS = 64;
/** llama.cpp's batch matches our per-step token budget (`maxNumBatchedTokens`, default 2048). */
const LLAMA_BATCH = 2048;
const sizes = (genLen: number): WorkloadSizes => ({
  concurrency: [1, 8, 32, MAX_SEQS],
  decodePromptLen: 32,
  genLen,
  prefillSeqs: 4,
  prefillPromptLen: 128,
  prefillReps: quick ? 1 : 3,
});
const models: { model: () => BenchModel; genLen: number }[] = quick
  ? [
      { model: stories260K, genLen: 8 },
      { model: () => syntheticModel('random-llama-15m'), genLen: 8 },
    ]
  : [
      { model: stories260K, genLen: 64 },
      { model: () => syntheticModel('random-llama-15m'), genLen: 64 },
      { model: () => syntheticModel('random-llama-110m'), genLen: 32 },
    ];

const started = performance.now();
const gpu = await createGpu();
console.log(describeMachine(gpu));
console.log(`readback floor (4-byte copy + mapAsync): ${(await readbackFloorUs(gpu)).toFixed(0)} µs\n`);
console.log('## Tokenizer: encode MB/s on a multi-MB varied text, and a same-run regex split pass\n');
printTable(TOKENIZER_HEAD, benchTokenizers(stories260K().path, quick ? 1 : 4, quick ? 1 : 3));

const throughput: ThroughputRow[] = [];
const overhead: string[][] = [];
const agreements: string[] = [];
const scoring: string[][] = [];
let anchor = '';
for (const { model: load, genLen } of models) {
  const model = load();
  const size = sizes(genLen);
  const maxSeqTokens = Math.max(size.decodePromptLen + genLen, size.prefillPromptLen + 1);
  const plan = planRows(size, model.vocabSize);

  const ours = await benchOurs(model.path, plan, { gpu, maxNumSeqs: MAX_SEQS, maxSeqTokens });
  const job = {
    modelPath: model.path,
    sequences: MAX_SEQS,
    contextSize: maxSeqTokens,
    batchSize: LLAMA_BATCH,
  };
  const scored = await scoreOurs(model.path, gpu, maxSeqTokens, model);
  const llama2 = await benchLlamaCpp(plan, { ...job, threads: 2, score: scored.tokens });
  scoring.push(scoringRow(model.name, scored.scores, llama2.answer.scores!));
  const llama1 = await benchLlamaCpp(plan, { ...job, threads: 1 });
  const a = llama2.answer;
  anchor = `node-llama-cpp ${a.nodeLlamaCppVersion} (llama.cpp ${a.llamaCppRelease}, CPU, batch ${LLAMA_BATCH}, flash attention ${a.flashAttention})`;

  plan.forEach((row, i) => {
    const [mine, two, one] = [ours.rows[i]!, llama2.rows[i]!, llama1.rows[i]!];
    progress(model, row, { ours: mine, 'llama.cpp 2 thr': two, 'llama.cpp 1 thr': one });
    throughput.push({
      model: model.name,
      weights: `${model.dtype}, ${(model.parameters / 1e6).toFixed(2)}M`,
      row: row.label,
      ours: rowFigures(row, mine),
      llama2: rowFigures(row, two),
      llama1: rowFigures(row, one),
    });
    if (row.kind !== 'decode') return;
    overhead.push(overheadRow(`${model.name} @${row.sequences}`, ours.steps[i]!, row.sequences));
    const same = agreement(mine[0]!.tokens, two[0]!.tokens);
    agreements.push(`${model.name} ${row.label}: ${pct(same.first)} / ${pct(same.all)}`);
  });
}
gpu.destroy();

console.log(`\n## Throughput (anchor: ${anchor})\n`);
printThroughput(throughput);
console.log('\n## Our decode steps: mean wall time by part (CPU overhead = all but the GPU wait)\n');
printTable(OVERHEAD_HEAD, overhead);
console.log('\n## Greedy agreement with llama.cpp, 2 threads (same first token / same whole output)\n');
for (const line of agreements) console.log(`- ${line}`);
console.log('\n## Scoring agreement with llama.cpp (prompt log-probabilities of one sequence)\n');
printTable(SCORING_HEAD, scoring);
console.log(`\n${loadLine()}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);

/** One stderr line per engine for a row, as soon as it is known. */
function progress(model: BenchModel, row: RowPlan, byEngine: Record<string, readonly BatchTiming[]>): void {
  for (const [engine, timings] of Object.entries(byEngine)) {
    const { tokensPerSecond: tps, cpuMsPerToken: cpu } = rowFigures(row, timings);
    console.error(
      `${model.name} ${engine} ${row.label}: ${tps.toFixed(1)} tok/s, ${cpu.toFixed(2)} CPU ms/tok`,
    );
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}
