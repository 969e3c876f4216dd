import { createRequest, ignoreReason, normalizeSampling, type NewRequest } from '../src/new-request.js';
import { RequestStatus, isFinishedStatus } from '../src/request.js';
import { checkStop } from '../src/stop-conditions.js';

const context = { seq: 0, nowNs: 1000, nowEpochMs: 1.7e12, maxSeqLen: 32 };
const make = (init: Partial<NewRequest> = {}) =>
  createRequest({ requestId: 'r', promptTokenIds: [1, 2, 3], ...init }, context);

describe('normalizeSampling', () => {
  test('defaults: no token limit, no minimum, no stop ids, no EOS', () => {
    expect(normalizeSampling()).toEqual({
      maxTokens: Infinity,
      minTokens: 0,
      stopTokenIds: [],
      eosTokenId: undefined,
      ignoreEos: false,
    });
  });

  test.each([
    [{ maxTokens: 0 }, /maxTokens must be an integer >= 1/],
    [{ minTokens: -1 }, /minTokens/],
    [{ maxTokens: 2, minTokens: 3 }, /minTokens \(3\) must not exceed sampling.maxTokens \(2\)/],
    [{ stopTokenIds: [1, 2.5] }, /stopTokenIds\[1\]/],
    [{ eosTokenId: -1 }, /eosTokenId/],
  ])('rejects %j', (sampling, message) => {
    expect(() => normalizeSampling(sampling)).toThrow(message);
  });
});

describe('createRequest', () => {
  test('copies the prompt, fills defaults and caps outputs by the longest sequence', () => {
    const prompt = [5, 6, 7];
    const request = createRequest(
      { requestId: 'r', promptTokenIds: prompt, sampling: { maxTokens: 100 } },
      context,
    );
    prompt.push(8);
    expect(request.promptTokenIds).toEqual([5, 6, 7]);
    expect(request.allTokenIds).toEqual([5, 6, 7]);
    expect(request.maxOutputTokens).toBe(29);
    expect(request).toMatchObject({
      status: 'WAITING',
      priority: 0,
      arrivalTimeMs: 1.7e12,
      numComputedTokens: 0,
    });
    expect(request.times).toEqual({
      arrivalEpochMs: 1.7e12,
      queuedNs: 1000,
      firstScheduledNs: undefined,
      firstTokenNs: undefined,
      lastTokenNs: undefined,
      finishedNs: undefined,
    });
  });

  test('keeps a frozen copy of trace headers for plugins', () => {
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const request = make({ traceHeaders: headers });
    headers.traceparent = 'changed';
    expect(request.traceHeaders).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(Object.isFrozen(request.traceHeaders)).toBe(true);
    expect(make().traceHeaders).toBeUndefined();
  });

  test.each([
    [{ requestId: '' }, /requestId must be a non-empty string/],
    [{ promptTokenIds: [] }, /promptTokenIds must be a non-empty array/],
    [{ promptTokenIds: [1, -2] }, /promptTokenIds\[1\] is not a token id/],
    [{ promptTokenIds: [2 ** 31] }, /not a token id/],
    [{ priority: Number.POSITIVE_INFINITY }, /priority must be a finite number/],
    [{ arrivalTimeMs: Number.NaN }, /arrivalTimeMs/],
  ])('rejects %j', (init, message) => {
    expect(() => make(init as Partial<NewRequest>)).toThrow(message);
  });
});

describe('ignoreReason', () => {
  test('accepts a prompt with room for one output token', () => {
    expect(ignoreReason(15, { maxModelLen: 16, poolTokens: 16 })).toBeUndefined();
  });
  test('explains a prompt too long for the model', () => {
    expect(ignoreReason(16, { maxModelLen: 16, poolTokens: 100 })).toMatch(/within maxModelLen 16/);
  });
  test('explains a prompt too long for the whole KV pool', () => {
    expect(ignoreReason(16, { maxModelLen: 100, poolTokens: 16 })).toMatch(
      /exceeds the whole KV pool \(16 tokens\)/,
    );
  });
});

describe('Request state machine', () => {
  test('admit, compute, sample, preempt and resume', () => {
    const request = make();
    expect(request.admit(0, 2000)).toBe('FIRST');
    request.commitComputed(3);
    expect(request.appendOutput(9, 3000)).toBe(true);
    expect(request.appendOutput(10, 4000)).toBe(false);
    expect(request.times).toMatchObject({ firstScheduledNs: 2000, firstTokenNs: 3000, lastTokenNs: 4000 });
    request.preempt();
    expect(request).toMatchObject({
      status: 'PREEMPTED',
      numComputedTokens: 0,
      numPreemptions: 1,
      prefillHighWater: 3,
    });
    expect(request.admit(2, 5000)).toBe('RESUME');
    expect(request.times.firstScheduledNs).toBe(2000);
    expect(request.numCachedTokens).toBe(0);
    expect(request.allTokenIds).toEqual([1, 2, 3, 9, 10]);
  });

  test('rejects illegal transitions and over-computation', () => {
    const request = make();
    expect(() => request.commitComputed(1)).toThrow(/cannot commitComputed while WAITING/);
    expect(() => request.preempt()).toThrow(/cannot preempt/);
    request.admit(0, 0);
    expect(() => request.admit(0, 0)).toThrow(/cannot admit while RUNNING/);
    expect(() => request.commitComputed(4)).toThrow(/4 computed tokens exceed its 3 tokens/);
    request.finish(RequestStatus.FINISHED_ABORTED, 'gone', 10);
    expect(request).toMatchObject({ isFinished: true, finishReasonText: 'gone' });
    expect(() => request.finish(RequestStatus.FINISHED_ERROR, undefined, 11)).toThrow(/cannot finish/);
    expect(() => request.appendOutput(1, 12)).toThrow(/cannot appendOutput/);
  });

  test('isFinishedStatus guards untyped input', () => {
    expect(isFinishedStatus('FINISHED_LENGTH')).toBe(true);
    expect(isFinishedStatus('RUNNING')).toBe(false);
    expect(isFinishedStatus('toString')).toBe(false);
  });
});

describe('checkStop', () => {
  function afterOutputs(outputs: number[], sampling: NewRequest['sampling'], maxSeqLen = 32) {
    const request = createRequest(
      { requestId: 'r', promptTokenIds: [1, 2], sampling },
      { ...context, maxSeqLen },
    );
    request.admit(0, 0);
    request.commitComputed(2);
    const stops = outputs.map((token) => {
      request.appendOutput(token, 0);
      return checkStop(request);
    });
    return stops;
  }

  test('EOS stops, unless ignored', () => {
    expect(afterOutputs([5, 0], { eosTokenId: 0 })).toEqual([null, 'FINISHED_STOPPED']);
    expect(afterOutputs([5, 0], { eosTokenId: 0, ignoreEos: true })).toEqual([null, null]);
  });

  test('stop token ids stop even when EOS is ignored', () => {
    expect(afterOutputs([5, 7], { stopTokenIds: [7], ignoreEos: true })).toEqual([null, 'FINISHED_STOPPED']);
  });

  test('minTokens holds back EOS and stop tokens until reached', () => {
    expect(afterOutputs([0, 7, 0], { eosTokenId: 0, stopTokenIds: [7], minTokens: 3 })).toEqual([
      null,
      null,
      'FINISHED_STOPPED',
    ]);
  });

  test('maxTokens ends with length; a stop token on the last slot wins', () => {
    expect(afterOutputs([5, 6], { maxTokens: 2 })).toEqual([null, 'FINISHED_LENGTH']);
    expect(afterOutputs([5, 7], { maxTokens: 2, stopTokenIds: [7] })).toEqual([null, 'FINISHED_STOPPED']);
  });

  test('the longest sequence ends with length even before minTokens', () => {
    expect(afterOutputs([0, 0], { eosTokenId: 0, minTokens: 10 }, 4)).toEqual([null, 'FINISHED_LENGTH']);
  });
});
