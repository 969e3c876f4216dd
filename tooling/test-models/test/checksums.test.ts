/** Every model file is the one the README's table names, byte for byte, and the table lists every file. */
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { MODELS_DIR, modelPath } from '../index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** `file → sha256` from the README's rows such as "| `tok512.bin` | 037c… | …". */
const TABLE = new Map(
  [...README.matchAll(/^\| `([^`]+)` +\| ([0-9a-f]{64}) +\|/gm)].map((m) => [m[1]!, m[2]!]),
);

describe('test models', () => {
  test.each([...TABLE])('%s has the sha256 the README states', (file, sha256) => {
    expect(
      createHash('sha256')
        .update(readFileSync(modelPath(file)))
        .digest('hex'),
    ).toBe(sha256);
  });

  test('the README lists every model file', () => {
    const files = readdirSync(MODELS_DIR).filter((f) => f !== 'LICENSE');
    expect(files.sort()).toEqual([...TABLE.keys()].sort());
  });

  test('a missing file is named in the error', () => {
    expect(() => modelPath('nope.gguf')).toThrow(/test model nope\.gguf not found/);
  });
});
