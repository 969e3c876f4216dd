/**
 * The README convention every published package follows, and its parser.
 *
 * The first two `##` sections are `## Install` (an `npm install` command:
 * the package, its peers and anything the example imports; until the
 * packages are published, `npm install <folder>/*.tgz` of `pnpm pack-all`'s
 * tarballs, which installs every published package; any `npx …` line there
 * must run in the installed project) and `## Example`,
 * whose first ```ts block is a complete program: the test runs it as
 * `node example.ts`. An optional ```text block after it shows what the
 * program prints; each of its lines must appear, in order, as a line of the
 * output, with `…` standing for any text.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fenced code block. */
interface CodeBlock {
  readonly lang: string;
  readonly body: string;
  /** The `##` section it sits in. */
  readonly section: string | undefined;
}

/** What a README's Install and Example sections say. */
export interface ReadmeExample {
  /** Package names from the Install section's `npm install` commands (versions stripped). */
  readonly installs: readonly string[];
  /** Whether Install installs every tarball of `pnpm pack-all` (`npm install <folder>/*.tgz`). */
  readonly everyTarball: boolean;
  /** The Install section's `npx …` commands, as argument lists after `npx` (comments stripped). */
  readonly npx: readonly (readonly string[])[];
  /** The Example section's first ```ts block. */
  readonly code: string;
  /** The lines of the ```text block after it, if any. */
  readonly expectedOutput: readonly string[] | undefined;
}

/** The example, or what is wrong with the README. */
export type ParsedReadme =
  | { readonly ok: true; readonly example: ReadmeExample }
  | { readonly ok: false; readonly problems: readonly string[] };

/** A shell line's words, its comment left out. */
const lineWords = (line: string): string[] => line.replace(/#.*$/, '').trim().split(/\s+/);

/** Parses a package README against the convention above. */
export function parseReadme(text: string): ParsedReadme {
  const { headings, blocks } = scan(text);
  const problems: string[] = [];
  if (headings[0] !== 'Install' || headings[1] !== 'Example') {
    problems.push(
      `the first two sections must be "## Install" and "## Example" (found ${headings
        .slice(0, 2)
        .map((h) => `"## ${h}"`)
        .join(', ')})`,
    );
  }
  const installLines = blocks.filter((b) => b.section === 'Install').flatMap((b) => b.body.split('\n'));
  const named = installLines.flatMap(npmInstallNames);
  if (named.length === 0) problems.push('the Install section has no `npm install` command');
  const everyTarball = named.some((word) => word.endsWith('/*.tgz'));
  const installs = named.filter((word) => !word.endsWith('/*.tgz'));
  const example = blocks.filter((b) => b.section === 'Example');
  const codeAt = example.findIndex((b) => b.lang === 'ts' || b.lang === 'typescript');
  if (codeAt < 0) problems.push('the Example section has no ```ts block');
  if (problems.length > 0) return { ok: false, problems };
  const output = example.slice(codeAt + 1).find((b) => b.lang === 'text');
  return {
    ok: true,
    example: {
      installs,
      everyTarball,
      npx: installLines
        .map(lineWords)
        .filter((w) => w[0] === 'npx')
        .map((w) => w.slice(1)),
      code: example[codeAt]!.body,
      expectedOutput: output?.body.split('\n').filter((line) => line.trim() !== ''),
    },
  };
}

/** `##` headings and fenced blocks, in order; a `##` inside a fence is not a heading. */
function scan(text: string): { headings: string[]; blocks: CodeBlock[] } {
  const headings: string[] = [];
  const blocks: CodeBlock[] = [];
  let fence: { marker: string; lang: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (fence) {
      if (line.trim() === fence.marker) {
        blocks.push({ lang: fence.lang, body: fence.lines.join('\n'), section: headings.at(-1) });
        fence = undefined;
      } else fence.lines.push(line);
      continue;
    }
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (open) fence = { marker: open[1]!, lang: open[2]!.toLowerCase(), lines: [] };
    else if (line.startsWith('## ')) headings.push(line.slice(3).trim());
  }
  return { headings, blocks };
}

/**
 * The package names of one `npm install …` (or `npm i …`) line, a tarball glob (`./tarballs/*.tgz`)
 * kept as written; none for any other line.
 */
export function npmInstallNames(line: string): string[] {
  const words = lineWords(line);
  if (words[0] !== 'npm' || !(words[1] === 'install' || words[1] === 'i')) return [];
  return words
    .slice(2)
    .filter((w) => !w.startsWith('-'))
    .map((w) => (w.endsWith('.tgz') ? w : w.replace(/^(@?[^@]+)@.*$/, '$1')));
}

/**
 * The first expected line that the output does not show, or undefined when
 * all appear in order. `…` in an expected line matches any text.
 */
export function firstUnmatchedLine(expected: readonly string[], output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected) {
    const pattern = new RegExp(
      `^${want
        .trimEnd()
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    while (at < lines.length && !pattern.test(lines[at]!)) at++;
    if (at === lines.length) return want;
    at++;
  }
  return undefined;
}

/** The README of an unpacked package, parsed; a missing one is a problem like any other. */
export function readPackageReadme(packageDir: string): ParsedReadme {
  const path = join(packageDir, 'README.md');
  return existsSync(path)
    ? parseReadme(readFileSync(path, 'utf8'))
    : { ok: false, problems: ['no README.md'] };
}
