/**
 * The `x-serve` command line, generated from the option table: one flag per
 * setting (`--no-<flag>` too for switches), each help line naming its
 * default and environment variable.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { envName, type OptionSpec } from './option-specs.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function describe(spec: OptionSpec): string {
  const value = typeof spec.default === 'boolean' ? (spec.default ? 'on' : 'off') : String(spec.default);
  const shown = spec.default === undefined ? '' : `; default ${spec.defaultText ?? value}`;
  return `${spec.description}${shown}; env ${[envName(spec), ...(spec.env ?? [])].join(', ')}`;
}

/** The command for `specs`; parsing errors throw (`exitOverride`) so the caller picks the exit status. */
export function buildProgram(specs: readonly OptionSpec[]): Command {
  const program = new Command('x-serve')
    .description("An OpenAI-compatible LLM server on the x-llm engine (vLLM's flags).")
    .version(VERSION)
    .argument('[model]', 'the model file, as --model')
    .option(
      '--config <file>',
      'a YAML (or JSON) file of settings keyed by flag name, e.g. "max-num-seqs: 32"',
    )
    .exitOverride()
    .showHelpAfterError('(run x-serve --help for every option)')
    .addHelpText('after', '\nPrecedence: flags > environment variables > --config file > defaults.');
  for (const spec of specs) {
    if (spec.value === undefined) {
      program.addOption(new Option(`--${spec.name}`, describe(spec)));
      program.addOption(new Option(`--no-${spec.name}`, `turn --${spec.name} off`));
      continue;
    }
    const parse = (value: string, previous: unknown): unknown =>
      spec.variadic ? [...((previous as unknown[] | undefined) ?? []), spec.parse(value)] : spec.parse(value);
    program.addOption(new Option(`--${spec.name} ${spec.value}`, describe(spec)).argParser(parse));
  }
  return program;
}
