/**
 * The workspace's packages as pnpm sees them, and which of them are published.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A package of the workspace. */
export interface WorkspacePackage {
  readonly name: string;
  /** Absolute path of its folder. */
  readonly dir: string;
  /** Its folder relative to the workspace root, e.g. `packages/engine`. */
  readonly path: string;
  readonly private: boolean;
}

/** Every package of the workspace under `root` (the root itself left out), sorted by path. */
export function workspacePackages(root: string): WorkspacePackage[] {
  const out = execFileSync('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], { cwd: root, encoding: 'utf8' });
  const listed = JSON.parse(out) as { name?: string; path: string }[];
  return listed
    .filter((p) => p.path !== root && p.name !== undefined)
    .map((p) => {
      const manifest = JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8')) as {
        private?: boolean;
      };
      return { name: p.name!, dir: p.path, path: relative(root, p.path), private: manifest.private === true };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The packages that get published: every one without `"private": true`. */
export function publishablePackages(root: string): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => !p.private);
}
