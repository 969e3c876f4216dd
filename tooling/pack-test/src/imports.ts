/**
 * The modules a JavaScript, declaration or example file imports, by package.
 * A plain scan (no parser): `from '…'`, `import '…'`, `import('…')` and
 * `/// <reference types="…" />`. Comments that quote an import count too,
 * which errs on the strict side.
 * @module
 */
import { builtinModules } from 'node:module';

const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"\n]+)['"]|\/\/\/\s*<reference\s+types\s*=\s*['"]([^'"\n]+)['"]/g;

/** Every module specifier in `code`, in order, duplicates kept. */
export function importSpecifiers(code: string): string[] {
  return [...code.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2])!);
}

/** The package a bare specifier names (`@a/b/c` → `@a/b`, `hono/streaming` → `hono`); undefined for relative paths, URLs and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|[a-z]+:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The packages `code` imports, each once. */
export function importedPackages(code: string): Set<string> {
  return new Set(
    importSpecifiers(code)
      .map(packageOf)
      .filter((p) => p !== undefined),
  );
}
