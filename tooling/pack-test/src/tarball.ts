/**
 * `pnpm pack` and unpacking: a package exactly as the registry would get it.
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOrThrow } from '@x/test-processes';

/** `pnpm pack` of one package (it runs no build here) and its unpacking take seconds. */
const PACK_TIMEOUT_MS = 60_000;

/** A package.json as published (only the fields the checks read). */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly files?: readonly string[];
  readonly main?: string;
  readonly types?: string;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly exports?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/** A packed and unpacked package. */
export interface Tarball {
  /** Path of the `.tgz`. */
  readonly file: string;
  /** Where it was unpacked (the tarball's `package/` folder). */
  readonly dir: string;
  /** Every file in it, relative to `dir`, sorted. */
  readonly files: readonly string[];
  /** Its package.json as packed (`workspace:` ranges already replaced). */
  readonly manifest: Manifest;
}

/** Packs the package in `packageDir` into `dest` and unpacks it beside the `.tgz`. */
export async function packAndUnpack(packageDir: string, dest: string): Promise<Tarball> {
  const stdout = await runOrThrow('pnpm', ['pack', '--json', '--pack-destination', dest], {
    cwd: packageDir,
    timeoutMs: PACK_TIMEOUT_MS,
  });
  const packed = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
  const dir = join(dest, packed.filename.replace(/^.*\//, '').replace(/\.tgz$/, ''));
  mkdirSync(dir);
  await runOrThrow('tar', ['-xzf', packed.filename, '-C', dir, '--strip-components=1'], {
    cwd: dest,
    timeoutMs: PACK_TIMEOUT_MS,
  });
  return {
    file: packed.filename,
    dir,
    files: packed.files.map((f) => f.path).sort(),
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
  };
}

/** Every dependency name of a manifest with its range, across the fields a consumer installs or must provide. */
export function installedRanges(manifest: Manifest): Map<string, string> {
  return new Map(
    Object.entries({
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
      ...manifest.dependencies,
    }),
  );
}
