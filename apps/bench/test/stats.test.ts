/** Statistics with numpy's definitions (the values below are numpy's). */
import { describe as group, expect, test } from '@jest/globals';
import { describe, mean, percentile, percentileOfSorted, std } from '../src/stats.js';

group('mean and std', () => {
  test('population standard deviation, as np.std', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(std([1, 2, 3, 4])).toBeCloseTo(1.118033988749895, 12);
  });

  test('empty samples give 0, as vLLM reports them', () => {
    expect(mean([])).toBe(0);
    expect(std([])).toBe(0);
    expect(percentile([], 99)).toBe(0);
  });
});

group('percentiles interpolate linearly between ranks (np.percentile)', () => {
  test.each([
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 90, 3.7],
    [[1, 2, 3, 4], 99, 3.97],
    [[10, 20, 30, 40, 50], 25, 20],
    [[15, 20, 35, 40, 50], 40, 29],
    [[7], 99, 7],
  ])('%j p%d = %d', (values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 10);
  });

  test('order of the input does not matter; ends are min and max', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(5);
    expect(percentileOfSorted([1, 2, 3, 4, 5], 75)).toBe(4);
  });
});

test('describe summarizes a sample at once', () => {
  const d = describe([3, 1, 2, 4], [50, 90, 99]);
  expect(d).toMatchObject({ count: 4, mean: 2.5, median: 2.5, min: 1, max: 4 });
  expect(d.std).toBeCloseTo(1.118033988749895, 12);
  expect([...d.percentiles]).toEqual([
    [50, 2.5],
    [90, expect.closeTo(3.7, 10)],
    [99, expect.closeTo(3.97, 10)],
  ]);
  expect(describe([], [99])).toMatchObject({ count: 0, mean: 0, median: 0, std: 0, min: 0, max: 0 });
});
