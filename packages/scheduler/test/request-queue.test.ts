import { FcfsQueue } from '../src/fcfs-queue.js';
import { PriorityQueue } from '../src/priority-queue.js';
import { compareQueueItems, type QueueItem } from '../src/queue-order.js';
import { createRequestQueue, type SchedulingPolicy } from '../src/request-queue.js';

interface Item extends QueueItem {
  readonly name: string;
}

let seq = 0;
const item = (name: string, priority = 0, arrivalTimeMs = 0): Item => ({
  name,
  priority,
  arrivalTimeMs,
  seq: seq++,
});
const names = (items: Iterable<Item>): string[] => [...items].map((i) => i.name);

describe.each<SchedulingPolicy>(['fcfs', 'priority'])('%s queue: common behaviour', (policy) => {
  test('serves equal-priority items in arrival order', () => {
    const queue = createRequestQueue<Item>(policy);
    for (const name of ['a', 'b', 'c']) queue.push(item(name));
    expect(queue.size).toBe(3);
    expect(queue.peek()?.name).toBe('a');
    expect(names(queue)).toEqual(['a', 'b', 'c']);
    expect([queue.pop(), queue.pop(), queue.pop()].map((i) => i?.name)).toEqual(['a', 'b', 'c']);
    expect(queue.pop()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  test('puts a re-queued (preempted) item ahead of later arrivals', () => {
    const queue = createRequestQueue<Item>(policy);
    const first = item('first');
    queue.push(first);
    queue.push(item('later'));
    queue.pop();
    queue.pushFront(first);
    expect(names(queue)).toEqual(['first', 'later']);
  });

  test('removes any item and reports whether it was there', () => {
    const queue = createRequestQueue<Item>(policy);
    const items = ['a', 'b', 'c', 'd'].map((n) => item(n));
    items.forEach((i) => queue.push(i));
    expect(queue.remove(items[2]!)).toBe(true);
    expect(queue.remove(items[2]!)).toBe(false);
    expect(queue.remove(items[0]!)).toBe(true);
    expect(names(queue)).toEqual(['b', 'd']);
    expect(queue.size).toBe(2);
  });

  test('grows past its initial capacity, keeping order', () => {
    const queue = createRequestQueue<Item>(policy);
    const expected: string[] = [];
    for (let i = 0; i < 100; i++) {
      queue.push(item(`n${i}`));
      expected.push(`n${i}`);
      if (i % 3 === 0) expect(queue.pop()?.name).toBe(expected.shift());
    }
    expect(names(queue)).toEqual(expected);
  });
});

describe('FcfsQueue', () => {
  test('ignores priority and re-queues preempted items at the very front', () => {
    const queue = new FcfsQueue<Item>();
    queue.push(item('low', 5));
    queue.push(item('high', 0));
    queue.pushFront(item('preempted', 9));
    expect(names(queue)).toEqual(['preempted', 'low', 'high']);
  });

  test('wraps around the ring at both ends', () => {
    const queue = new FcfsQueue<Item>();
    for (let i = 0; i < 16; i++) queue.push(item(`b${i}`));
    for (let i = 0; i < 10; i++) queue.pop();
    for (let i = 0; i < 5; i++) queue.pushFront(item(`f${i}`));
    for (let i = 16; i < 30; i++) queue.push(item(`b${i}`));
    const expected = [
      ...['f4', 'f3', 'f2', 'f1', 'f0'],
      ...Array.from({ length: 20 }, (_, i) => `b${i + 10}`),
    ];
    expect(names(queue)).toEqual(expected);
    expect(queue.remove([...queue][7]!)).toBe(true);
    expected.splice(7, 1);
    expect(names(queue)).toEqual(expected);
  });
});

describe('PriorityQueue', () => {
  test('orders by priority, then arrival time, then acceptance order', () => {
    const queue = new PriorityQueue<Item>();
    queue.push(item('p1-late', 1, 20));
    queue.push(item('p0-late', 0, 30));
    queue.push(item('p1-early', 1, 10));
    queue.push(item('p0-early', 0, 5));
    queue.push(item('p0-early-2', 0, 5));
    expect(names(queue)).toEqual(['p0-early', 'p0-early-2', 'p0-late', 'p1-early', 'p1-late']);
    const popped: string[] = [];
    while (queue.size > 0) popped.push(queue.pop()!.name);
    expect(popped).toEqual(['p0-early', 'p0-early-2', 'p0-late', 'p1-early', 'p1-late']);
  });

  test('stays a valid heap under random pushes and removals', () => {
    const queue = new PriorityQueue<Item>();
    const live: Item[] = [];
    let state = 1;
    const random = (n: number): number => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 300; i++) {
      if (live.length > 0 && random(3) === 0) {
        const [removed] = live.splice(random(live.length), 1);
        expect(queue.remove(removed!)).toBe(true);
      } else {
        const next = item(`i${i}`, random(4), random(50));
        live.push(next);
        queue.push(next);
      }
    }
    const expected = live
      .slice()
      .sort(compareQueueItems)
      .map((i) => i.name);
    const popped: string[] = [];
    while (queue.size > 0) popped.push(queue.pop()!.name);
    expect(popped).toEqual(expected);
  });
});
