/**
 * The llama.cpp anchor: runs the same batches in a child process with
 * node-llama-cpp (from the dev-only `tooling/bench-llama-cpp` package, so no
 * package of ours depends on it), on llama.cpp's CPU backend.
 * @module
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import type { BatchTiming, LlamaCppAnswer, LlamaCppJob } from './protocol.ts';
import type { RowPlan } from './workload.ts';

const MAIN = fileURLToPath(new URL('../../../tooling/bench-llama-cpp/src/main.ts', import.meta.url));

/** The anchor's timings, per row of the plan (timed batches only), and what produced them. */
export interface LlamaCppResult {
  readonly answer: LlamaCppAnswer;
  readonly rows: readonly (readonly BatchTiming[])[];
}

/** Runs every row of `plan` (warm-ups included) on llama.cpp in one fresh process. */
export async function benchLlamaCpp(
  plan: readonly RowPlan[],
  job: Omit<LlamaCppJob, 'runs'>,
): Promise<LlamaCppResult> {
  const answer = await runLlamaCpp({ ...job, runs: plan.flatMap((row) => [...row.warmup, ...row.timed]) });
  let at = 0;
  const rows = plan.map((row) => {
    at += row.warmup.length + row.timed.length;
    return answer.timings.slice(at - row.timed.length, at);
  });
  return { answer, rows };
}

/** Runs `job` in a fresh Node process and returns its answer; its logs pass through to stderr. */
async function runLlamaCpp(job: LlamaCppJob): Promise<LlamaCppAnswer> {
  const child = spawn(process.execPath, [MAIN], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(JSON.stringify(job));
  const [out, code] = await Promise.all([text(child.stdout), exited]);
  if (code !== 0) throw new Error(`llama.cpp runner exited with ${code}`);
  return JSON.parse(out) as LlamaCppAnswer;
}
