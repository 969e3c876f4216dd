/**
 * The page's files: the built page and shared modules from this package's
 * `dist`, and uPlot from `node_modules` (the server may have no internet, so
 * nothing comes from a CDN). The list is made once, on first use; a request
 * names an entry of it, never a path on disk.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the viewer serves. */
export interface Asset {
  readonly path: string;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** This package's build output, whether this module runs from `dist` or (in tests) from `src`. */
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const require = createRequire(import.meta.url);

let assets: ReadonlyMap<string, Asset> | undefined;
let template: string | undefined;

/** Assets by their URL path under `assets/` (`page/main.js`, `vendor/uplot.esm.js`…). */
export function viewerAssets(): ReadonlyMap<string, Asset> {
  assets ??= new Map([
    ...listed('page', join(DIST, 'page')),
    ...listed('shared', join(DIST, 'shared')),
    [
      'vendor/uplot.esm.js',
      { path: require.resolve('uplot/dist/uPlot.esm.js'), contentType: CONTENT_TYPES['.js']! },
    ],
    [
      'vendor/uplot.min.css',
      { path: require.resolve('uplot/dist/uPlot.min.css'), contentType: CONTENT_TYPES['.css']! },
    ],
  ]);
  return assets;
}

/** The page, with `<base href>` set to where it is mounted so that its relative links resolve there. */
export function pageHtml(basePath: string): string {
  template ??= readFileSync(join(DIST, 'page', 'index.html'), 'utf8');
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  return template.replace('<base href="/journeys/" />', `<base href="${escapeAttribute(base)}" />`);
}

/** Files of `dir` with a served extension, under `prefix/`. */
function listed(prefix: string, dir: string): [string, Asset][] {
  return readdirSync(dir).flatMap((name): [string, Asset][] => {
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
    return type === undefined ? [] : [[`${prefix}/${name}`, { path: join(dir, name), contentType: type }]];
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
