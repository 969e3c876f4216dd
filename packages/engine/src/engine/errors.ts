/** A request the engine refuses before queueing it (too long, malformed parameters). */
export class EngineInputError extends Error {
  /** The offending parameter, OpenAI-style (`input_tokens`, `max_tokens`…). */
  readonly param: string | undefined;
  constructor(message: string, param?: string) {
    super(message);
    this.name = 'EngineInputError';
    this.param = param;
  }
}
