import { runDemo } from '../src/run-demo.js';

describe('scheduler demo', () => {
  const lines: string[] = [];
  const result = runDemo((line) => lines.push(line));
  const journeys = lines.filter((line) => line.includes(' journey: '));

  test('tells every request’s journey from queued to finished', () => {
    expect(journeys).toHaveLength(10);
    for (const journey of journeys) expect(journey).toMatch(/journey: queued( → .+)? → finished \(\w+\)/);
  });

  test('shows preemption, an abort, an ignored prompt and prefix-cache hits', () => {
    expect(lines.some((line) => line.includes(' preempted ('))).toBe(true);
    expect(lines.some((line) => line.includes(' resumed ('))).toBe(true);
    expect(journeys.some((line) => line.includes('finished (aborted): client disconnected'))).toBe(true);
    expect(journeys.some((line) => /finished \(ignored\): prompt of \d+ tokens/.test(line))).toBe(true);
    expect(lines.some((line) => / cache hit [1-9]\d*\//.test(line))).toBe(true);
  });

  test('ends with a summary and no per-request state left in the plugin', () => {
    expect(result.summary.at(-1)).toBe('requests still tracked by the plugin: 0');
    expect(lines.filter((line) => line.startsWith('step '))).toHaveLength(result.steps);
  });
});
