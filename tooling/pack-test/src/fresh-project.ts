/**
 * A fresh npm project outside the workspace with every tarball installed, as
 * a user would have it: pnpm's isolated layout with nothing hoisted, so code
 * that imports an undeclared package fails there as it would for them.
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Project settings. Every `@x/*` package resolves to its tarball through
 * `overrides`; the `@x` scope's registry is a closed loopback port, so one
 * that is not overridden fails to install instead of coming from the public
 * registry, where someone else may own the scope.
 */
const NPMRC = [
  'node-linker=isolated',
  'hoist=false',
  'public-hoist-pattern=',
  '@x:registry=http://127.0.0.1:9/',
  '',
].join('\n');

/**
 * Type-checks each package folder's `example.ts` against the installed declaration files,
 * with only erasable syntax allowed (Node runs the examples by stripping types).
 * Library declarations are not checked themselves, as in the workspace.
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    types: ['node'],
  },
  include: ['*/example.ts'],
};

/** What goes into the project. */
export interface FreshProjectSpec {
  /** Package name → its `.tgz`; each becomes a dependency and an override. */
  readonly tarballs: ReadonlyMap<string, string>;
  /** Other packages the examples import (name → the version or range their package pins), from the registry. */
  readonly extras: ReadonlyMap<string, string>;
}

/** Writes the project into `dir` and installs it with pnpm (the machine's store, registry metadata cached). */
export async function installFreshProject(dir: string, spec: FreshProjectSpec): Promise<void> {
  const tarballs = Object.fromEntries([...spec.tarballs].map(([name, file]) => [name, `file:${file}`]));
  const manifest = {
    name: 'x-pack-test-project',
    private: true,
    type: 'module',
    dependencies: { ...tarballs, ...Object.fromEntries(spec.extras) },
    pnpm: { overrides: tarballs },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), NPMRC);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  await run('pnpm', ['install', '--ignore-workspace', '--prefer-offline', '--reporter=append-only'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
  });
}

/** Runs the TypeScript compiler at `tscPath` over the project's examples; its diagnostics, one per line (none when all pass). */
export async function typecheckExamples(dir: string, tscPath: string): Promise<string[]> {
  const result = await runProgram(process.execPath, [tscPath, '-p', '.', '--pretty', 'false'], dir, 120_000);
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  if (result.exitCode !== 0 && lines.length === 0) throw new Error(`tsc: ${describeRun(result)}`);
  return lines;
}

/** How a program ended. */
export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <file> ...args` (or a bin) in `cwd` as a user's shell would,
 * without the test runner's NODE_OPTIONS; kills it after `timeoutMs`.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<RunResult> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}

/** A one-paragraph account of a run, for a failure message. */
export function describeRun(r: RunResult): string {
  const tail = (s: string) => s.split('\n').slice(-30).join('\n');
  const end = r.timedOut ? 'was killed: it did not exit by itself' : `exited ${r.exitCode ?? r.signal}`;
  return `it ${end}\n--- stdout (tail)\n${tail(r.stdout)}\n--- stderr (tail)\n${tail(r.stderr)}`;
}
