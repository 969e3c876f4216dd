/** Workloads and prompt text: the same seed gives the same requests. */
import { describe, expect, test } from '@jest/globals';
import { promptText } from '../src/prompt-text.js';
import { mean } from '../src/stats.js';
import { CHAT_MAX_FACTOR, CHAT_MIN_LEN, planWorkload, type WorkloadSpec } from '../src/workload.js';

const spec = (over: Partial<WorkloadSpec>): WorkloadSpec => ({
  kind: 'random',
  numPrompts: 200,
  inputLen: 100,
  outputLen: 40,
  rangeRatio: 0.5,
  ...over,
});

describe('lengths', () => {
  test('fixed: every request has the lengths asked for', () => {
    const plan = planWorkload(spec({ kind: 'fixed', numPrompts: 5 }), 1);
    expect(plan).toEqual([0, 1, 2, 3, 4].map((index) => ({ index, inputLen: 100, outputLen: 40 })));
  });

  test('random: uniform within len·(1 ± ratio), both ends reached', () => {
    const plan = planWorkload(spec({ numPrompts: 2000 }), 1);
    const inputs = plan.map((r) => r.inputLen);
    const outputs = plan.map((r) => r.outputLen);
    expect(Math.min(...inputs)).toBe(50);
    expect(Math.max(...inputs)).toBe(150);
    expect(Math.min(...outputs)).toBe(20);
    expect(Math.max(...outputs)).toBe(60);
    expect(mean(inputs)).toBeCloseTo(100, -1);
  });

  test('chat: log-normal around the means, right-skewed, cut to its bounds', () => {
    const plan = planWorkload(spec({ kind: 'chat', numPrompts: 5000, inputLen: 161, outputLen: 338 }), 3);
    const inputs = plan.map((r) => r.inputLen);
    const outputs = plan.map((r) => r.outputLen);
    expect(mean(inputs) / 161).toBeGreaterThan(0.9);
    expect(mean(inputs) / 161).toBeLessThan(1.1);
    expect(mean(outputs) / 338).toBeGreaterThan(0.9);
    expect(mean(outputs) / 338).toBeLessThan(1.1);
    const median = [...inputs].sort((a, b) => a - b)[2500]!;
    expect(median).toBeLessThan(mean(inputs)); // a long right tail
    expect(Math.min(...inputs, ...outputs)).toBeGreaterThanOrEqual(CHAT_MIN_LEN);
    expect(Math.max(...inputs)).toBeLessThanOrEqual(Math.ceil(CHAT_MAX_FACTOR * 161));
  });

  test.each(['fixed', 'random', 'chat'] as const)(
    '%s: the same seed gives the same workload, another seed another',
    (kind) => {
      const a = planWorkload(spec({ kind }), 11);
      expect(planWorkload(spec({ kind }), 11)).toEqual(a);
      if (kind !== 'fixed') expect(planWorkload(spec({ kind }), 12)).not.toEqual(a);
    },
  );
});

describe('prompt text', () => {
  test('the same seed and key give the same words; a longer prompt extends the shorter', () => {
    const key = { run: 0, index: 3 };
    const short = promptText(5, key, 20);
    expect(promptText(5, key, 20)).toBe(short);
    expect(short.split(' ')).toHaveLength(20);
    expect(promptText(5, key, 50).startsWith(`${short} `)).toBe(true);
    expect(promptText(6, key, 20)).not.toBe(short);
  });

  test('prompts of a run, of other runs and of the warm-up share no prefix', () => {
    const heads = new Set<string>();
    for (const run of [0, 1, 'warmup'] as const) {
      for (let index = 0; index < 50; index++) heads.add(promptText(9, { run, index }, 4));
    }
    expect(heads.size).toBe(150);
  });
});
