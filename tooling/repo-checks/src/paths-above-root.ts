/**
 * Finds the relative paths in a file's text that lead above the repository
 * root (four `..` steps up from a test three folders down): a clone
 * that has nothing beside it would not find what they name.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** One reference to a path above the root. */
export interface PathAboveRoot {
  /** The file, relative to the root. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly text: string;
}

/**
 * Files whose relative paths do not start from their own folder: the lockfile's
 * `link:` paths start from each workspace package's folder.
 */
const NOT_FILE_RELATIVE = new Set(['pnpm-lock.yaml']);

/** A run of `../` not preceded by a name character or a dot. */
const UPWARD = /(?<![\w.])((?:\.\.\/)+)/g;

/** The references in `text` (the content of `file`, relative to `root`) that climb above `root`. */
export function pathsAboveRoot(root: string, file: string, text: string): PathAboveRoot[] {
  const found: PathAboveRoot[] = [];
  const folder = dirname(resolve(root, file));
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(UPWARD)) {
      if (relative(root, resolve(folder, match[1]!)).startsWith('..')) {
        found.push({ file, line: i + 1, text: line.trim() });
      }
    }
  });
  return found;
}

/** Every such reference in the files git tracks under `root`, outside `docs/` (prose) and binary files. */
export function trackedPathsAboveRoot(root: string): PathAboveRoot[] {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0');
  return files
    .filter((file) => file !== '' && !file.startsWith('docs/') && !NOT_FILE_RELATIVE.has(file))
    .flatMap((file) => {
      const content = readFileSync(resolve(root, file));
      if (content.subarray(0, 8192).includes(0)) return [];
      return pathsAboveRoot(root, file, content.toString('utf8'));
    });
}
