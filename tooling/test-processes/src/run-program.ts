/**
 * Child processes that die with the test that started them. Each program
 * runs in a process group of its own, so a timeout kills it together with
 * everything it started (pnpm's workers, a shell's children); any group
 * still alive when the test process exits is killed too, so no orphan keeps
 * running, or keeps jest from exiting, after its test is over.
 * @module
 */
import {
  spawn,
  type ChildProcess,
  type ChildProcessWithoutNullStreams,
  type SpawnOptionsWithoutStdio,
} from 'node:child_process';

/** How a program ended. */
export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a run may be given besides its command line. */
export interface RunOptions {
  readonly cwd: string;
  /** Killed, with its whole process group, after this long. */
  readonly timeoutMs: number;
  /** Added to the environment (which never carries the test runner's NODE_OPTIONS). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Process group ids of the programs still running. */
const running = new Set<number>();

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

process.once('exit', () => running.forEach(killGroup));

/**
 * Spawns `command args` as the leader of a new process group. When the leader
 * exits, whatever it left behind in its group (and which may hold its output
 * pipes open) is killed; {@link killTree} kills the group at any time, and the
 * test process kills any group still alive when it exits.
 */
export function spawnInGroup(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptionsWithoutStdio, 'detached'>,
): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { ...options, stdio: 'pipe', detached: true });
  const pgid = child.pid;
  if (pgid === undefined) return child;
  running.add(pgid);
  child.once('exit', () => {
    killGroup(pgid);
    running.delete(pgid);
  });
  return child;
}

/** Kills a child started by {@link spawnInGroup} with everything it started. */
export function killTree(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) killGroup(child.pid);
}

/**
 * Runs `command args` as a user's shell would (stdin closed, no NODE_OPTIONS
 * from the test runner) and resolves when its output closes or its time runs
 * out; never rejects for a non-zero exit, which the caller judges.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const env = { ...process.env, ...options.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawnInGroup(command, args, { cwd: options.cwd, env });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}

/** Runs a program and returns its stdout; throws with {@link describeRun}'s account unless it exits 0. */
export async function runOrThrow(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<string> {
  const result = await runProgram(command, args, options);
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')}: ${describeRun(result)}`);
  return result.stdout;
}

/** A one-paragraph account of a run, for a failure message. */
export function describeRun(r: RunResult): string {
  const tail = (s: string) => s.split('\n').slice(-30).join('\n');
  const end = r.timedOut ? 'was killed: it did not finish in time' : `exited ${r.exitCode ?? r.signal}`;
  return `it ${end}\n--- stdout (tail)\n${tail(r.stdout)}\n--- stderr (tail)\n${tail(r.stderr)}`;
}
