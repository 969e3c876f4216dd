// Copies non-TypeScript assets (e.g. .wgsl shaders) from a source tree to the
// build output, keeping relative paths: node copy-assets.mjs SRC OUT EXT...
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [src, out, ...exts] = process.argv.slice(2);
if (!src || !out || exts.length === 0) {
  console.error('usage: copy-assets.mjs SRC OUT EXT...');
  process.exit(2);
}
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (exts.some((e) => name.endsWith(e))) cpSync(path, join(out, relative(src, path)));
  }
};
walk(src);
