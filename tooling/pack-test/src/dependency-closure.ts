/**
 * What installing a package brings in for certain: its `dependencies`,
 * followed through an installed node_modules tree the way Node resolves them.
 * @module
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder `name` resolves to from `fromDir`, walking up node_modules folders; undefined when it is not installed. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package that installing `name` into `projectDir` requires: its
 * `dependencies`, transitively. Optional and peer dependencies are the
 * user's choice (`npm install --omit=optional`) and are not followed.
 */
export function requiredClosure(projectDir: string, name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (pkg: string, fromDir: string) => {
    const dir = resolvePackageDir(pkg, fromDir);
    if (dir === undefined || seen.has(pkg)) return;
    seen.add(pkg);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir);
  };
  visit(name, projectDir);
  seen.delete(name);
  return seen;
}
