/** Absolute path of the folder that holds the test models (this package's `models/`). */
export declare const MODELS_DIR: string;

/**
 * Absolute path of one test model file, e.g. `modelPath('stories260K.gguf')`;
 * throws an error naming the file when it is not there.
 */
export declare function modelPath(name: string): string;
