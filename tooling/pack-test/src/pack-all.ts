/**
 * `pnpm pack-all [folder]`: packs every publishable workspace package into
 * one folder (default `./tarballs`), so that, until the packages are on a
 * registry, `npm install ./tarballs/*.tgz` installs them together, their
 * `@x/*` dependencies resolving to each other. The root script builds first;
 * this packs what is built. Run as `node src/pack-all.ts` (Node strips the
 * types), so it imports TypeScript files by their own names.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishablePackages } from './workspace.ts';

/** A tarball's name without its version: `@x/engine` packs as `x-engine-<version>.tgz`. */
const tarballStem = (name: string) => name.replace(/^@/, '').replace('/', '-');

/**
 * Packs every publishable package of the workspace at `root` into `dest` and returns the tarballs'
 * paths. Tarballs of the same packages already there (another version) are removed first, so that
 * `npm install <dest>/*.tgz` never sees two versions of a package.
 */
export function packAll(root: string, dest: string): string[] {
  const packages = publishablePackages(root);
  mkdirSync(dest, { recursive: true });
  const stems = packages.map((p) => tarballStem(p.name));
  for (const file of readdirSync(dest)) {
    const version = /^(.*)-\d+\.\d+\.\d+[^/]*\.tgz$/.exec(file);
    if (version && stems.includes(version[1]!)) rmSync(join(dest, file));
  }
  return packages.map((p) => {
    const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', dest], {
      cwd: p.dir,
      encoding: 'utf8',
    });
    return (JSON.parse(out) as { filename: string }).filename;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  // `pnpm pack-all` runs in the workspace root, so a relative folder is relative to it.
  const dest = resolve(process.argv[2] ?? 'tarballs');
  for (const file of packAll(root, dest)) console.log(file);
}
