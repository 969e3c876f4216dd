/** Poisson (and gamma) arrivals: right mean and spread, the same for the same seed. */
import { expect, test } from '@jest/globals';
import { arrivalOffsets } from '../src/arrivals.js';
import { mean, std } from '../src/stats.js';

const gaps = (offsets: number[]) => offsets.map((t, i) => t - (offsets[i - 1] ?? 0));

test('a Poisson process: exponential gaps of mean 1/rate (coefficient of variation 1)', () => {
  const g = gaps(arrivalOffsets(20_000, { requestRate: 4, burstiness: 1 }, 7));
  // The standard error of the mean of 20,000 exponential gaps is 0.7% of it: 3% is over 4 of them.
  expect(mean(g)).toBeGreaterThan(0.25 * 0.97);
  expect(mean(g)).toBeLessThan(0.25 * 1.03);
  expect(std(g) / mean(g)).toBeGreaterThan(0.95);
  expect(std(g) / mean(g)).toBeLessThan(1.05);
  expect(Math.min(...g)).toBeGreaterThan(0);
});

test('burstiness keeps the mean and sets the spread: CV = 1/√burstiness', () => {
  for (const burstiness of [0.25, 4]) {
    const g = gaps(arrivalOffsets(20_000, { requestRate: 2, burstiness }, 3));
    expect(mean(g) / 0.5).toBeCloseTo(1, 1);
    expect((std(g) / mean(g)) * Math.sqrt(burstiness)).toBeCloseTo(1, 1);
  }
});

test('offsets increase, and repeat for the same seed only', () => {
  const a = arrivalOffsets(500, { requestRate: 10, burstiness: 1 }, 42);
  expect(a).toEqual(arrivalOffsets(500, { requestRate: 10, burstiness: 1 }, 42));
  expect(a).not.toEqual(arrivalOffsets(500, { requestRate: 10, burstiness: 1 }, 43));
  expect(a.every((t, i) => i === 0 || t > a[i - 1]!)).toBe(true);
  // A longer run starts with the shorter one's arrivals.
  expect(arrivalOffsets(600, { requestRate: 10, burstiness: 1 }, 42).slice(0, 500)).toEqual(a);
});

test('an infinite rate sends everything at once', () => {
  expect(arrivalOffsets(3, { requestRate: Infinity, burstiness: 1 }, 0)).toEqual([0, 0, 0]);
});
