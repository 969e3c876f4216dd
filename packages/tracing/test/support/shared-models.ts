/** Paths of the shared test models, kept outside the repository (as in `@x/engine`'s tests). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared models folder: `X_MODELS_DIR`, else `../shared/models` beside the repository. */
export const MODELS_DIR =
  process.env.X_MODELS_DIR ?? fileURLToPath(new URL('../../../../../shared/models', import.meta.url));

/** Absolute path of a file in {@link MODELS_DIR}; throws a clear error when it is missing. */
export function modelPath(name: string): string {
  const path = `${MODELS_DIR}/${name}`;
  if (!existsSync(path)) throw new Error(`test model ${name} not found in ${MODELS_DIR} (set X_MODELS_DIR)`);
  return path;
}
