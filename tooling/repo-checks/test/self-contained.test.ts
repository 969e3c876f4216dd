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
    const text = [
      "const models = new URL('../../../../shared/models', import.meta.url);",
      "import { x } from '../../engine/src/index.js';",
      "const root = new URL('../../../', import.meta.url);",
      'see ../../../../../etc/passwd',
    ].join('\n');
    expect(pathsAboveRoot('/repo', 'packages/engine/test/models.ts', text)).toEqual([
      { file: 'packages/engine/test/models.ts', line: 1, text: expect.stringContaining('shared/models') },
      { file: 'packages/engine/test/models.ts', line: 4, text: 'see ../../../../../etc/passwd' },
    ]);
  });
});
