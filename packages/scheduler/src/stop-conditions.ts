/**
 * Stop rules applied after each sampled token, in vLLM's order: EOS and stop
 * tokens (both held back until `minTokens` outputs exist), then length. Length
 * is never held back, so a request cannot outgrow `maxModelLen`.
 */
import { RequestStatus, type FinishedStatus, type RequestView } from './request.js';

/** The terminal status the latest output token puts the request in, or null to keep going. */
export function checkStop(request: RequestView): FinishedStatus | null {
  const outputs = request.outputTokenIds;
  const count = outputs.length;
  const sampling = request.sampling;
  if (count >= sampling.minTokens) {
    const last = outputs[count - 1]!;
    const stops = sampling.stopTokenIds;
    if (
      (!sampling.ignoreEos && last === sampling.eosTokenId) ||
      (stops.length !== 0 && stops.includes(last))
    ) {
      return RequestStatus.FINISHED_STOPPED;
    }
  }
  return count >= request.maxOutputTokens ? RequestStatus.FINISHED_LENGTH : null;
}
