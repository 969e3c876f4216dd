/** `--slo` parsing and the goodput test of a request. */
import { expect, test } from '@jest/globals';
import { formatSlo, meetsSlo, parseDurationMs, parseSlo, SloError } from '../src/slo.js';

test('durations in µs, ms and s; a bare number is milliseconds (vLLM)', () => {
  expect(parseDurationMs('200ms')).toBe(200);
  expect(parseDurationMs('2s')).toBe(2000);
  expect(parseDurationMs('1.5s')).toBe(1500);
  expect(parseDurationMs('150us')).toBeCloseTo(0.15);
  expect(parseDurationMs('250µs')).toBeCloseTo(0.25);
  expect(parseDurationMs('50')).toBe(50);
  expect(parseDurationMs(' 0.5 s ')).toBe(500);
});

test("objectives by name; e2e and e2el are one; vLLM's KEY:VALUE form is accepted", () => {
  expect(parseSlo('ttft=200ms,tpot=50ms,e2e=2s')).toEqual({ ttft: 200, tpot: 50, e2el: 2000 });
  expect(parseSlo('TTFT = 1s, e2el=3000')).toEqual({ ttft: 1000, e2el: 3000 });
  expect(parseSlo('ttft:200,tpot:50')).toEqual({ ttft: 200, tpot: 50 });
});

test.each([
  ['', /expected name=duration pairs/],
  ['ttft', /expected name=duration, got "ttft"/],
  ['latency=2s', /unknown objective "latency": expected one of ttft, tpot, e2e/],
  ['ttft=fast', /expected a duration such as 200ms, 2s or 150us, got "fast"/],
  ['ttft=-5ms', /expected a duration/],
  ['ttft=2h', /expected a duration/],
  ['ttft=1s,ttft=2s', /objective ttft given twice/],
  ['e2e=1s,e2el=2s', /objective e2el given twice/],
])('%j is refused: %s', (text, message) => {
  expect(() => parseSlo(text)).toThrow(SloError);
  expect(() => parseSlo(text)).toThrow(message);
});

test('a request is good when it meets every objective given (bounds inclusive)', () => {
  const slo = parseSlo('ttft=200ms,tpot=50ms');
  expect(meetsSlo({ ttft: 200, tpot: 50, e2el: 99_999 }, slo)).toBe(true);
  expect(meetsSlo({ ttft: 201, tpot: 10, e2el: 0 }, slo)).toBe(false);
  expect(meetsSlo({ ttft: 10, tpot: 50.1, e2el: 0 }, slo)).toBe(false);
  expect(meetsSlo({ ttft: 1e9, tpot: 1e9, e2el: 1e9 }, {})).toBe(true);
  expect(formatSlo(slo)).toBe('ttft=200ms,tpot=50ms');
});
