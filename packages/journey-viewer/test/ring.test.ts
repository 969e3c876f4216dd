/** The ring buffer that bounds the viewer's memory. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Ring } from '../src/shared/ring.js';

describe('Ring', () => {
  test('keeps the last `capacity` items, oldest first, and returns what it evicts', () => {
    const ring = new Ring<number>(3);
    expect([ring.push(1), ring.push(2), ring.push(3)]).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    ring.clear();
    expect([ring.size, ring.toArray()]).toEqual([0, []]);
    ring.push(9);
    expect([...ring]).toEqual([9]);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %p', (capacity) => {
    expect(() => new Ring(capacity)).toThrow(/ring capacity must be a positive integer/);
  });

  test('any sequence of pushes leaves exactly the last `capacity` items', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer(), { maxLength: 100 }),
        (capacity, items) => {
          const ring = new Ring<number>(capacity);
          const evicted: number[] = [];
          for (const item of items) {
            const out = ring.push(item);
            if (out !== undefined) evicted.push(out);
          }
          const kept = items.slice(Math.max(0, items.length - capacity));
          expect(ring.toArray()).toEqual(kept);
          expect(ring.size).toBe(kept.length);
          expect(evicted).toEqual(items.slice(0, items.length - kept.length));
        },
      ),
    );
  });
});
