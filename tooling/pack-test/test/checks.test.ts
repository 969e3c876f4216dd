/**
 * The checks themselves, on small hand-made inputs: each must catch what it
 * is for, or the pack test would pass on a broken package.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importedPackages, importSpecifiers } from '../src/imports.js';
import { firstUnmatchedLine, npmInstallNames, parseReadme } from '../src/readme.js';
import {
  assetProblems,
  contentProblems,
  entryPointProblems,
  importProblems,
  sourceMapProblems,
} from '../src/tarball-checks.js';
import type { Manifest, Tarball } from '../src/tarball.js';

const fence = '```';

describe('parseReadme', () => {
  const good = [
    '# @x/demo',
    'One line about it.',
    '## Install',
    `${fence}sh`,
    'npm install @x/demo @x/peer@^1.2.0 openai --save # a comment',
    'npx @x/demo --help # runs its command',
    fence,
    '## Example',
    `${fence}ts`,
    "import { demo } from '@x/demo';",
    '## not a heading inside a fence',
    'demo();',
    fence,
    `${fence}text`,
    'demo ran in … ms',
    fence,
    '## More',
  ].join('\n');

  it('reads the install names, the first ts block and the expected output', () => {
    expect(parseReadme(good)).toEqual({
      ok: true,
      example: {
        installs: ['@x/demo', '@x/peer', 'openai'],
        everyTarball: false,
        npx: [['@x/demo', '--help']],
        code: "import { demo } from '@x/demo';\n## not a heading inside a fence\ndemo();",
        expectedOutput: ['demo ran in … ms'],
      },
    });
  });

  it('says what is missing when the README does not open with Install and Example', () => {
    const parsed = parseReadme('# @x/demo\n## Usage\n```ts\nx();\n```\n');
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      'the first two sections must be "## Install" and "## Example" (found "## Usage")',
      'the Install section has no `npm install` command',
      'the Example section has no ```ts block',
    ]);
  });

  it('reads an install of every packed tarball', () => {
    const parsed = parseReadme(good.replace('npm install @x/demo', 'npm install ../x-llm/tarballs/*.tgz'));
    expect(parsed.ok && [parsed.example.installs, parsed.example.everyTarball]).toEqual([
      ['@x/peer', 'openai'],
      true,
    ]);
  });

  it('reads npm install lines only', () => {
    expect(npmInstallNames('npm i -D @scope/a@1 b@latest')).toEqual(['@scope/a', 'b']);
    expect(npmInstallNames('pnpm add c')).toEqual([]);
  });
});

describe('firstUnmatchedLine', () => {
  const output =
    'noise\nserving on http://127.0.0.1:4321\n{"level":30}\nreply: "abc" (finish reason: length)\n';

  it('matches whole lines in order, with … for any text', () => {
    expect(
      firstUnmatchedLine(['serving on http://127.0.0.1:…', 'reply: "…" (finish reason: length)'], output),
    ).toBe(undefined);
    expect(firstUnmatchedLine(['reply: …', 'serving on …'], output)).toBe('serving on …');
    expect(firstUnmatchedLine(['serving on'], output)).toBe('serving on');
  });
});

describe('imports', () => {
  it('finds static, dynamic, re-export and reference imports, by package', () => {
    const code = [
      '/// <reference types="@webgpu/types" preserve="true" />',
      "import { a } from '@x/engine';",
      "import type { B } from 'hono/streaming';",
      "export * from './local.js';",
      "import 'side-effect';",
      "const t = await import('@x/tracing');",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
    ].join('\n');
    expect(importSpecifiers(code)).toHaveLength(8);
    expect([...importedPackages(code)].sort()).toEqual([
      '@webgpu/types',
      '@x/engine',
      '@x/tracing',
      'hono',
      'side-effect',
    ]);
  });
});

describe('tarball checks', () => {
  let dir: string;
  const files: Record<string, string> = {
    'package.json': '{}',
    'README.md': '# demo',
    'dist/index.js': "import 'hono';\nimport { x } from 'undeclared';\n",
    'dist/index.d.ts': "import type { Y } from 'dev-only';\n",
    'dist/index.js.map': JSON.stringify({ sources: ['../src/index.ts'] }),
    'dist/gone.js.map': JSON.stringify({ sources: ['../src/gone.ts'] }),
    'dist/.tsbuildinfo': '{}',
    'dist/index.test.js': '',
    'src/index.ts': '',
    'src/shaders/add.wgsl': '',
    'src/shaders/mul.wgsl': '',
    'dist/shaders/add.wgsl': '',
    'test/a.test.ts': '',
  };
  const manifest: Manifest = {
    name: '@x/demo',
    version: '1.0.0',
    main: './dist/index.js',
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './extra': './dist/extra.js' },
    dependencies: { hono: '4.0.0', '@x/other': 'workspace:*' },
    devDependencies: { 'dev-only': '1.0.0' },
  };
  const tarball = (): Tarball => ({ file: 'demo.tgz', dir, files: Object.keys(files).sort(), manifest });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-pack-test-checks-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flags a missing files field, build state, tests and unreplaced workspace ranges', () => {
    expect(contentProblems(tarball())).toEqual([
      'package.json has no "files" field',
      'unexpected file dist/.tsbuildinfo',
      'unexpected file dist/index.test.js',
      'unexpected file test/a.test.ts',
      '@x/other keeps its range "workspace:*"',
    ]);
  });

  it('flags entry points, mapped sources and assets that are not in the tarball', () => {
    expect(entryPointProblems(tarball())).toEqual(['entry point ./dist/extra.js is not in the tarball']);
    expect(sourceMapProblems(tarball())).toEqual([
      'dist/gone.js.map points at src/gone.ts, which is not in the tarball',
    ]);
    expect(assetProblems(tarball())).toEqual(['src/shaders/mul.wgsl has no copy in dist/']);
  });

  it('flags imports of undeclared and dev-only packages, in code and declarations', () => {
    expect(importProblems(tarball())).toEqual([
      'dist/index.d.ts import dev-only, which package.json does not declare',
      'dist/index.js import undeclared, which package.json does not declare',
    ]);
  });
});
