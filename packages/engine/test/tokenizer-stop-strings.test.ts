import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { StopStringMatcher, type StopStringOptions } from '../src/tokenizer/index.js';

/** Feeds chunks until a stop; returns each push's text (then the flush when nothing matched) and the stop. */
function run(
  stops: string[],
  chunks: string[],
  options?: StopStringOptions,
): { parts: string[]; stop?: string } {
  const matcher = new StopStringMatcher(stops, options);
  const parts: string[] = [];
  for (const chunk of chunks) {
    const result = matcher.push(chunk);
    parts.push(result.text);
    if (result.stop !== undefined) return { parts, stop: result.stop };
  }
  parts.push(matcher.flush());
  return { parts };
}

/** Reference: the first stop string completed reading char by char (the longest on a tie). */
function reference(stops: string[], text: string, include: boolean): { output: string; stop?: string } {
  for (let end = 1; end <= text.length; end++) {
    const done = stops.filter((s) => text.slice(0, end).endsWith(s)).sort((a, b) => b.length - a.length)[0];
    if (done !== undefined) return { output: text.slice(0, include ? end : end - done.length), stop: done };
  }
  return { output: text };
}

describe('StopStringMatcher', () => {
  test('matches a stop string spread over several tokens and does not send it', () => {
    const { parts, stop } = run(['The end'], ['Once. The', ' e', 'nd. More']);
    expect(parts).toEqual(['Once. ', '', '']);
    expect(stop).toBe('The end');
  });

  test('include_stop_str_in_output sends the stop string too', () => {
    const { parts, stop } = run(['The end'], ['Once. The', ' e', 'nd. More'], {
      includeStopStrInOutput: true,
    });
    expect(parts.join('')).toBe('Once. The end');
    expect(stop).toBe('The end');
  });

  test('holds back only a tail that could still start a stop string', () => {
    const matcher = new StopStringMatcher(['\n\n', 'STOP']);
    expect(matcher.push('hello\n')).toEqual({ text: 'hello' });
    expect(matcher.push('x ST')).toEqual({ text: '\nx ' });
    expect(matcher.push('ART')).toEqual({ text: 'START' });
    expect(matcher.push('STO')).toEqual({ text: '' });
    expect(matcher.flush()).toBe('STO');
  });

  test('overlapping candidates: the one completed first wins', () => {
    expect(run(['abcd', 'bc'], ['a', 'b', 'c', 'd'])).toEqual({ parts: ['', '', 'a'], stop: 'bc' });
    expect(run(['abcd', 'bc'], ['abcd'])).toEqual({ parts: ['a'], stop: 'bc' });
    // Both complete at the same character: the longer one is cut.
    expect(run(['b', 'ab'], ['xab'])).toEqual({ parts: ['x'], stop: 'ab' });
    // A stop string that is a prefix of another completes first.
    expect(run(['aab', 'aa'], ['xaab'])).toEqual({ parts: ['x'], stop: 'aa' });
  });

  test('property: any chunking gives what a char-by-char check gives', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '\n', '🙂');
    const str = (min: number, max: number): fc.Arbitrary<string> =>
      fc.array(alphabet, { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.array(str(1, 4), { minLength: 1, maxLength: 3 }),
        fc.array(str(0, 5), { maxLength: 8 }),
        fc.boolean(),
        (stops, chunks, include) => {
          const expected = reference(stops, chunks.join(''), include);
          const { parts, stop } = run(stops, chunks, { includeStopStrInOutput: include });
          expect({ output: parts.join(''), stop }).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('bad use fails clearly', () => {
    expect(() => new StopStringMatcher(['ok', ''])).toThrow('stop[1] is empty');
    const matcher = new StopStringMatcher(['x']);
    expect(matcher.push('ax').stop).toBe('x');
    expect(matcher.stopped).toBe('x');
    expect(() => matcher.push('more')).toThrow('push after a stop string matched');
  });
});
