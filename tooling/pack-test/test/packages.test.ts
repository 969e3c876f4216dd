/**
 * Every publishable workspace package, packed as the registry would get it
 * and installed from its tarball into one fresh project outside the
 * workspace, then checked: what the tarball holds, that its entry points,
 * maps, assets and imports resolve inside it, its README's Install and
 * Example sections, and that the README's example type-checks and runs there
 * as its own `node example.ts` process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requiredClosure } from '../src/dependency-closure.js';
import { installFreshProject, typecheckExamples } from '../src/fresh-project.js';
import { importedPackages } from '../src/imports.js';
import { firstUnmatchedLine, readPackageReadme, type ParsedReadme } from '../src/readme.js';
import {
  assetProblems,
  contentProblems,
  entryPointProblems,
  importProblems,
  sourceMapProblems,
} from '../src/tarball-checks.js';
import { installedRanges, packAndUnpack, type Manifest, type Tarball } from '../src/tarball.js';
import { describeRun, runProgram } from '@x/test-processes';
import { publishablePackages } from '../src/workspace.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const PACKAGES = publishablePackages(ROOT);
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const SELF = readManifest(join(ROOT, 'tooling/pack-test'));
const isOtel = (name: string) => name.startsWith('@opentelemetry/');
/** Per example; the first GPU use on lavapipe compiles shaders for seconds. */
const EXAMPLE_TIMEOUT_MS = 120_000;

let work: string;
let project: string;
const tarballs = new Map<string, Tarball>();
const readmes = new Map<string, ParsedReadme>();
let typecheck: Promise<string[]> | undefined;

/** `@x/engine` → `engine`: the example's folder in the project. */
const unscoped = (name: string) => name.replace(/^@[^/]+\//, '');

/** The third-party packages a README installs, with the version its package.json pins (any dependency field). */
function pinnedExtras(t: Tarball, readme: ParsedReadme): [string, string | undefined][] {
  if (!readme.ok) return [];
  const pins = new Map([...Object.entries(t.manifest.devDependencies ?? {}), ...installedRanges(t.manifest)]);
  return readme.example.installs.filter((n) => !n.startsWith('@x/')).map((n) => [n, pins.get(n)]);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'x-pack-test-'));
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  for (const p of PACKAGES) {
    const t = await packAndUnpack(p.dir, dest);
    tarballs.set(p.name, t);
    readmes.set(p.name, readPackageReadme(t.dir));
  }
  // The examples' types need Node's, at the workspace's version.
  const extras = new Map([['@types/node', readManifest(ROOT).devDependencies!['@types/node']!]]);
  for (const [name, t] of tarballs) {
    for (const dep of installedRanges(t.manifest).keys()) {
      // Installing it would ask a registry for an @x package: refuse before installing anything.
      if (dep.startsWith('@x/') && !tarballs.has(dep))
        throw new Error(`${name} depends on ${dep}, which is not a published workspace package`);
    }
    for (const [extra, version] of pinnedExtras(t, readmes.get(name)!)) {
      if (version !== undefined && !extras.has(extra)) extras.set(extra, version);
    }
  }
  project = join(work, 'project');
  await installFreshProject(project, {
    tarballs: new Map([...tarballs].map(([name, t]) => [name, t.file])),
    extras,
  });
  for (const [name, readme] of readmes) {
    if (!readme.ok) continue;
    mkdirSync(join(project, unscoped(name)));
    writeFileSync(join(project, unscoped(name), 'example.ts'), readme.example.code);
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('finds the published packages', () => {
  expect(PACKAGES.map((p) => p.name)).toEqual(
    expect.arrayContaining(['@x/scheduler', '@x/kernels-webgpu', '@x/engine', '@x/openai-server']),
  );
});

it('has every published package as a devDependency, so turbo builds them all first', () => {
  const missing = PACKAGES.map((p) => p.name).filter((n) => SELF.devDependencies?.[n] === undefined);
  expect(missing).toEqual([]);
});

it('@x/scheduler has no dependencies of any kind', () => {
  const m = tarballs.get('@x/scheduler')!.manifest;
  const deps = [m.dependencies, m.optionalDependencies, m.peerDependencies].flatMap((d) =>
    Object.keys(d ?? {}),
  );
  expect(deps).toEqual([]);
});

// Journey tracing is opt-in: x-serve has @x/tracing as an optional dependency, no package requires it.
it('no package but @x/tracing declares or requires OpenTelemetry', () => {
  const pulled = [...tarballs.keys()]
    .filter((name) => name !== '@x/tracing')
    .flatMap((name) => [
      ...[...installedRanges(tarballs.get(name)!.manifest).keys()]
        .filter(isOtel)
        .map((dep) => `${name} declares ${dep}`),
      // The no-op API alone may come with a third-party package (prom-client's exemplars use it).
      ...[...requiredClosure(project, name)]
        .filter((dep) => isOtel(dep) && dep !== '@opentelemetry/api')
        .map((dep) => `${name} requires ${dep}`),
    ]);
  expect(pulled).toEqual([]);
});

describe.each(PACKAGES.map((p) => [p.name, p.path, p.dir] as const))('%s (%s)', (name, _path, dir) => {
  const tarball = () => tarballs.get(name)!;
  const example = () => {
    const readme = readmes.get(name)!;
    if (!readme.ok) throw new Error(`README.md: ${readme.problems.join('; ')}`);
    return readme.example;
  };

  it('ships only dist/, src/, README, licence and package.json, with "files" set', () => {
    expect(contentProblems(tarball())).toEqual([]);
  });

  it('has its entry points, mapped sources and assets inside the tarball', () => {
    const t = tarball();
    expect([...entryPointProblems(t), ...sourceMapProblems(t), ...assetProblems(t)]).toEqual([]);
  });

  it('declares every package its dist files import', () => {
    expect(importProblems(tarball())).toEqual([]);
  });

  it('README opens with Install and Example, and Install covers what the example imports', () => {
    const { installs, everyTarball, code } = example();
    const m = tarball().manifest;
    // `npm install <folder>/*.tgz` installs every published package.
    const installed = (pkg: string) => installs.includes(pkg) || (everyTarball && tarballs.has(pkg));
    const problems = [
      ...(installed(name) ? [] : [`Install does not install ${name}`]),
      ...installs
        .filter((pkg) => pkg.startsWith('@x/') && !tarballs.has(pkg))
        .map((pkg) => `Install names ${pkg}, which is not a published package`),
      ...Object.keys(m.peerDependencies ?? {})
        .filter((peer) => !m.peerDependenciesMeta?.[peer]?.optional && !installed(peer))
        .map((peer) => `Install leaves out the peer ${peer}`),
      ...[...importedPackages(code)]
        .filter((pkg) => !installed(pkg))
        .map((pkg) => `the example imports ${pkg}, which Install does not install`),
      ...pinnedExtras(tarball(), readmes.get(name)!)
        .filter(([, version]) => version === undefined)
        .map(([extra]) => `Install names ${extra}, which package.json pins in no dependency field`),
    ];
    expect(problems).toEqual([]);
  });

  it('README example type-checks against the packed declaration files', async () => {
    example();
    typecheck ??= typecheckExamples(project, join(ROOT, 'node_modules/typescript/bin/tsc'));
    const own = `${unscoped(name)}/example.ts(`;
    expect((await typecheck).filter((line) => line.startsWith(own))).toEqual([]);
  });

  it(
    'README example runs with `node example.ts` in the fresh project',
    async () => {
      const { expectedOutput = [] } = example();
      const cwd = join(project, unscoped(name));
      const result = await runProgram(process.execPath, ['example.ts'], {
        cwd,
        timeoutMs: EXAMPLE_TIMEOUT_MS,
      });
      if (result.exitCode !== 0 || result.timedOut || result.stdout.trim() === '')
        throw new Error(`example.ts: ${describeRun(result)}`);
      const missing = firstUnmatchedLine(expectedOutput, result.stdout);
      if (missing !== undefined)
        throw new Error(`example.ts did not print a line like "${missing}"; ${describeRun(result)}`);
    },
    EXAMPLE_TIMEOUT_MS + 30_000,
  );

  it("README's npx commands run in the fresh project, without a registry", async () => {
    for (const args of example().npx) {
      // --no: the command must come from the installed tarballs, never be fetched.
      const result = await runProgram('npx', ['--no', ...args], { cwd: project, timeoutMs: 60_000 });
      if (result.exitCode !== 0 || result.stdout.trim() === '')
        throw new Error(`npx ${args.join(' ')}: ${describeRun(result)}`);
    }
  });

  // Bin names are known before packing: the workspace manifest has the same `bin`.
  const { bin } = readManifest(dir);
  for (const command of typeof bin === 'string' ? [unscoped(name)] : Object.keys(bin ?? {})) {
    it(`installs the ${command} command, whose --help exits 0`, async () => {
      const result = await runProgram(join(project, 'node_modules/.bin', command), ['--help'], {
        cwd: project,
        timeoutMs: 60_000,
      });
      if (result.exitCode !== 0 || result.stdout.trim() === '')
        throw new Error(`${command} --help: ${describeRun(result)}`);
    });
  }
});
