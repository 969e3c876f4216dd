/**
 * Runs a command's `main` and sets the exit status from it; an unexpected
 * error is printed with its stack and exits 1.
 * @module
 */

/** Runs `main` as the process's command, named `name` in messages. */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
