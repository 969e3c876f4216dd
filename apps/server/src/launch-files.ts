/**
 * The files a launch line names, checked before anything is bound or
 * loaded, each error one line naming its flag and saying what was expected:
 * the model (a GGUF file, or a llama2.c checkpoint with `--tokenizer`), the
 * TLS key and certificate, and `--chat-template` (a file, or the template
 * itself, as vLLM takes it).
 * @module
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { ChatTemplate, GGUF_MAGIC, readModelConfig } from '@x/engine';
import { ConfigError, type ResolvedOptions } from './resolve-config.js';

const EXPECTED =
  "expected a GGUF file, or a llama2.c checkpoint with --tokenizer; convert a Hugging Face model with llama.cpp's convert_hf_to_gguf.py";

/**
 * Checks the files `settings` names; returns the settings with
 * `chatTemplate` as the template's text. Throws a {@link ConfigError}.
 */
export function checkLaunchFiles(settings: ResolvedOptions): ResolvedOptions {
  const { model, tokenizer, sslKeyfile, sslCertfile, chatTemplate } = settings as Record<
    string,
    string | undefined
  >;
  if (tokenizer !== undefined) readable(tokenizer, '--tokenizer');
  if (model !== undefined) checkModel(model, tokenizer);
  if (sslKeyfile !== undefined) readable(sslKeyfile, '--ssl-keyfile');
  if (sslCertfile !== undefined) readable(sslCertfile, '--ssl-certfile');
  if (chatTemplate === undefined) return settings;
  return { ...settings, chatTemplate: chatTemplateSource(chatTemplate) };
}

function checkModel(path: string, tokenizer: string | undefined): void {
  readable(path, '--model', EXPECTED);
  const head = readHead(path);
  if (head.length >= 4 && head.readUInt32LE(0) === GGUF_MAGIC) return;
  // safetensors: an 8-byte header length, then the header's JSON.
  if (path.endsWith('.safetensors') || head.subarray(8, 10).toString() === '{"')
    throw new ConfigError(`--model ${path} is a safetensors file: ${EXPECTED}`);
  if (tokenizer === undefined)
    throw new ConfigError(
      `--model ${path} is not a GGUF file; a llama2.c checkpoint needs --tokenizer <tokenizer.bin> (${EXPECTED})`,
    );
  try {
    readModelConfig(path);
  } catch (error) {
    throw new ConfigError(`--model ${path}: ${(error as Error).message} (${EXPECTED})`);
  }
}

/** Throws unless `path` is a file this process can read. */
function readable(path: string, flag: string, expected = 'expected a file'): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}; ${expected}`,
    );
  }
  if (!isFile) throw new ConfigError(`${flag} ${path} is not a file (a directory?); ${expected}`);
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    return head.subarray(0, readSync(fd, head, 0, 16, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * `--chat-template`'s text: a file's content, or the value itself when it holds Jinja (`{`); a
 * value that looks like a path but is no file is refused, as vLLM refuses it.
 */
function chatTemplateSource(value: string): string {
  let source: string;
  if (isFile(value)) source = readFileSync(value, 'utf8');
  else if (/[{}]/.test(value)) source = value;
  else throw new ConfigError(`--chat-template ${value}: no such file, and not a Jinja template`);
  try {
    new ChatTemplate(source);
  } catch (error) {
    throw new ConfigError(`--chat-template: ${(error as Error).message}`);
  }
  return source;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
