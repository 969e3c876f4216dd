/**
 * A fresh npm project outside the workspace with every tarball installed, as
 * a user would have it: pnpm's isolated layout with nothing hoisted, so code
 * that imports an undeclared package fails there as it would for them.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, runProgram } from '@x/test-processes';

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
  // A registry that does not answer fails the install in seconds, not minutes of retries.
  'fetch-retries=1',
  'fetch-retry-mintimeout=2000',
  'fetch-retry-maxtimeout=5000',
  '',
].join('\n');

/**
 * One install attempt; a healthy one takes seconds (packages come from the
 * machine's store). pnpm 10 never exits after some registry errors (a TLS
 * certificate it cannot verify, say): the time limit turns that into a failure.
 */
const INSTALL_TIMEOUT_MS = 150_000;

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

/**
 * Writes the project into `dir` and installs it with pnpm from the machine's
 * store: offline when the registry metadata it needs is cached (any earlier
 * run), else asking the registry for metadata only.
 */
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
  const install = (mode: string) =>
    runProgram('pnpm', ['install', '--ignore-workspace', mode, '--reporter=append-only'], {
      cwd: dir,
      env: { CI: 'true' },
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
  let result = await install('--offline');
  if (result.exitCode !== 0 && !result.timedOut) result = await install('--prefer-offline');
  if (result.exitCode !== 0) throw new Error(`pnpm install in ${dir}: ${describeRun(result)}`);
}

/** Runs the TypeScript compiler at `tscPath` over the project's examples; its diagnostics, one per line (none when all pass). */
export async function typecheckExamples(dir: string, tscPath: string): Promise<string[]> {
  const result = await runProgram(process.execPath, [tscPath, '-p', '.', '--pretty', 'false'], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  if (result.exitCode !== 0 && lines.length === 0) throw new Error(`tsc: ${describeRun(result)}`);
  return lines;
}
