/** The repository is self-contained: no tracked file outside docs refers to a path above its root. */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { pathsAboveRoot, trackedPathsAboveRoot } from '../src/paths-above-root.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

describe('paths above the repository root', () => {
  it('are found in any tracked file outside docs: none', () => {
    expect(trackedPathsAboveRoot(ROOT)).toEqual([]);
  });

  it('are told from paths that stay inside', () => {
    // Built at run time, so this file holds no such path itself.
    const up = (n: number) => '../'.repeat(n);
    const text = [
      `const models = new URL('${up(4)}sibling-folder/models', import.meta.url);`,
      `import { x } from '${up(2)}engine/src/index.js';`,
      `const root = new URL('${up(3)}', import.meta.url);`,
      `see ${up(5)}etc/passwd`,
    ].join('\n');
    expect(pathsAboveRoot('/repo', 'packages/engine/test/models.ts', text)).toEqual([
      {
        file: 'packages/engine/test/models.ts',
        line: 1,
        text: expect.stringContaining('sibling-folder/models'),
      },
      { file: 'packages/engine/test/models.ts', line: 4, text: `see ${up(5)}etc/passwd` },
    ]);
  });
});
