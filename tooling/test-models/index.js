// Paths of the test models kept in this package's models/ folder.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MODELS_DIR = fileURLToPath(new URL('./models', import.meta.url));

export function modelPath(name) {
  const path = `${MODELS_DIR}/${name}`;
  if (!existsSync(path)) throw new Error(`test model ${name} not found in ${MODELS_DIR}`);
  return path;
}
