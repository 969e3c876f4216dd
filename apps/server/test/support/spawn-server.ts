/** The built `x-serve` as a child process, for tests that run whole replicas. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnInGroup } from '@x/test-processes';

/** The built command line. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** A running `x-serve` process. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` (`https:` with TLS), from the start-up summary. */
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** What it printed so far (logs on stdout, the summary on stderr). */
  output(): { stdout: string; stderr: string };
}

/**
 * The test's environment for a server: no OTLP or resource variable the machine may have set,
 * the given cache, and Mesa's shader cache left where it is warm (it too follows XDG_CACHE_HOME).
 */
export function serverEnv(cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  env.MESA_SHADER_CACHE_DIR ??= process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return { ...env, XDG_CACHE_HOME: cache, ...extra };
}

/**
 * Starts `x-serve args` with the private Node; resolves once it listens.
 * It runs in a process group of its own, killed if the test process exits first.
 */
export async function spawnServer(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawnInGroup(process.execPath, [CLI, ...args], { env });
  child.stdin.end();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening\s+(https?:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`x-serve exited early (${code}):\n${stderr}`)));
  });
  return { url, child, exited, output: () => ({ stdout, stderr }) };
}
