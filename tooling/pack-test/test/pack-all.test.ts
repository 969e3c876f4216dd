/**
 * `pnpm pack-all`'s packing step, run as the root script runs it: one
 * tarball per publishable package in the folder named, older versions of
 * them replaced.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRun, runProgram } from '@x/test-processes';
import { publishablePackages } from '../src/workspace.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

let dest: string;

beforeAll(() => {
  dest = mkdtempSync(join(tmpdir(), 'x-pack-all-'));
});

afterAll(() => {
  if (dest) rmSync(dest, { recursive: true, force: true });
});

it('writes one tarball per publishable package into the folder named, replacing older ones', async () => {
  writeFileSync(join(dest, 'x-engine-0.0.1.tgz'), 'an older version');
  writeFileSync(join(dest, 'notes.txt'), 'not ours');
  const result = await runProgram(process.execPath, ['tooling/pack-test/src/pack-all.ts', dest], {
    cwd: ROOT,
    timeoutMs: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`pack-all: ${describeRun(result)}`);
  const expected = publishablePackages(ROOT).map((p) => {
    const { version } = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) as { version: string };
    return `${p.name.slice(1).replace('/', '-')}-${version}.tgz`;
  });
  expect(readdirSync(dest).sort()).toEqual([...expected, 'notes.txt'].sort());
  expect(result.stdout.trim().split('\n').sort()).toEqual(expected.map((f) => join(dest, f)).sort());
});
