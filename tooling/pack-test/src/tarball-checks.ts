/**
 * Checks of one unpacked tarball. Each returns the problems it found (empty
 * when there are none), worded for a test failure message.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { importedPackages } from './imports.js';
import { installedRanges, type Tarball } from './tarball.js';

/** Top-level entries a tarball may hold; `src/` ships so that the source and declaration maps resolve. */
const ALLOWED_TOP = /^(package\.json|README\.md|LICENSE(\.md|\.txt)?|CHANGELOG\.md|dist\/.+|src\/.+)$/;
/** Never published: tests, benchmarks, build state, configs. */
const FORBIDDEN =
  /(^|\/)(test|tests|__tests__|bench)\/|\.(test|spec|bench)\.[cm]?[jt]sx?$|\.tsbuildinfo$|(^|\/)(tsconfig[\w.]*|jest\.config\.[cm]?js|\.jest-results\.json)$/;

/** The `files` field is set, and the tarball holds only build output, sources, README, licence and manifest. */
export function contentProblems(t: Tarball): string[] {
  const problems: string[] = [];
  if (!Array.isArray(t.manifest.files) || t.manifest.files.length === 0)
    problems.push('package.json has no "files" field');
  if (!t.files.includes('README.md')) problems.push('no README.md');
  if (!t.files.some((f) => f.startsWith('dist/'))) problems.push('no dist/ (was the package built?)');
  for (const f of t.files) {
    if (!ALLOWED_TOP.test(f) || FORBIDDEN.test(f)) problems.push(`unexpected file ${f}`);
  }
  for (const [name, range] of installedRanges(t.manifest)) {
    if (range.startsWith('workspace:')) problems.push(`${name} keeps its range "${range}"`);
  }
  return problems;
}

/** `main`, `types`, `bin` and every `exports` target name a file in the tarball. */
export function entryPointProblems(t: Tarball): string[] {
  const m = t.manifest;
  const targets = [
    m.main,
    m.types,
    ...(typeof m.bin === 'string' ? [m.bin] : Object.values(m.bin ?? {})),
    ...exportTargets(m.exports),
  ].filter((p) => p !== undefined);
  const files = new Set(t.files);
  return targets
    .filter((target) => {
      const path = normalize(target);
      if (!path.includes('*')) return !files.has(path);
      const [head, tail] = path.split('*') as [string, string];
      return !t.files.some((f) => f.startsWith(head) && f.endsWith(tail));
    })
    .map((target) => `entry point ${target} is not in the tarball`);
}

/** Every string leaf of an `exports` map. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

/** Every source that a `.map` file names is in the tarball. */
export function sourceMapProblems(t: Tarball): string[] {
  const files = new Set(t.files);
  return t.files
    .filter((f) => f.endsWith('.map'))
    .flatMap((map) => {
      const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(t.dir, map), 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      return sources
        .map((s) => normalize(join(dirname(map), sourceRoot, s)))
        .filter((s) => !files.has(s))
        .map((s) => `${map} points at ${s}, which is not in the tarball`);
    });
}

/** Every non-TypeScript file under `src/` (a shader, say) has its copy under `dist/`, where the code loads it. */
export function assetProblems(t: Tarball): string[] {
  const files = new Set(t.files);
  return t.files
    .filter((f) => f.startsWith('src/') && !/\.[cm]?tsx?$/.test(f))
    .filter((f) => !files.has(`dist/${f.slice('src/'.length)}`))
    .map((f) => `${f} has no copy in dist/`);
}

/**
 * Every package that a dist file imports is declared: in `dependencies`,
 * `optionalDependencies` or `peerDependencies` (a declaration file's imports
 * too, since the consumer's compiler follows them). Dev dependencies are not
 * installed for consumers.
 */
export function importProblems(t: Tarball): string[] {
  const declared = new Set([t.manifest.name, ...installedRanges(t.manifest).keys()]);
  const problems = new Map<string, string[]>();
  for (const f of t.files.filter((f) => f.startsWith('dist/') && /\.[cm]?js$|\.d\.[cm]?ts$/.test(f))) {
    for (const pkg of importedPackages(readFileSync(join(t.dir, f), 'utf8'))) {
      if (!declared.has(pkg)) problems.set(pkg, [...(problems.get(pkg) ?? []), f]);
    }
  }
  return [...problems].map(
    ([pkg, files]) => `${files.join(', ')} import ${pkg}, which package.json does not declare`,
  );
}
