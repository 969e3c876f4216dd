/**
 * A step failure that one scheduled entry's inputs caused, found before
 * anything was submitted: the rest of the batch can run without it.
 * @module
 */

/** Thrown by `ModelRunner.execute` when one entry's inputs cannot run; nothing of the step was submitted. */
export class StepEntryError extends Error {
  /** Index of the entry at fault in the step's `scheduled`. */
  readonly entry: number;

  constructor(entry: number, cause: Error) {
    super(cause.message, { cause });
    this.name = 'StepEntryError';
    this.entry = entry;
  }
}
