/**
 * The demo's workload: chat-like requests sharing a system prompt, arriving
 * over the first steps, one that the client abandons, and one whose prompt is
 * too long to ever run.
 */
import type { NewRequest } from '@x/scheduler';
import { EOS_TOKEN } from './fake-model.js';

/** A request and when it arrives (and, optionally, when its client goes away). */
export interface Arrival {
  readonly atStep: number;
  readonly request: NewRequest;
  readonly abortAtStep?: number;
}

const SYSTEM_PROMPT = Array.from({ length: 24 }, (_, i) => 100 + i);

function chat(id: number, userTokens: number, maxTokens: number): NewRequest {
  const user = Array.from({ length: userTokens }, (_, i) => 200 + ((id * 37 + i * 11) % 500));
  return {
    requestId: `req-${id}`,
    promptTokenIds: [...SYSTEM_PROMPT, ...user],
    sampling: { maxTokens, minTokens: 2, eosTokenId: EOS_TOKEN },
  };
}

/** The arrivals, in order. */
export function demoWorkload(): Arrival[] {
  return [
    { atStep: 0, request: chat(1, 40, 24) },
    { atStep: 0, request: chat(2, 8, 32) },
    { atStep: 1, request: chat(3, 60, 20) },
    { atStep: 2, request: chat(4, 12, 40) },
    { atStep: 3, request: chat(5, 30, 16) },
    { atStep: 3, request: chat(6, 5, 48) },
    { atStep: 5, request: chat(7, 90, 12) },
    { atStep: 6, request: chat(8, 16, 40), abortAtStep: 14 },
    { atStep: 8, request: chat(9, 300, 4) },
    { atStep: 9, request: chat(10, 20, 24) },
  ];
}
