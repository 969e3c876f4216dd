/** Programs a test starts die with it: on timeout, and when they exit leaving children behind. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { killTree, runOrThrow, runProgram, spawnInGroup } from '../src/index.js';

/** A pid that is gone or a zombie waiting to be reaped counts as dead. */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
}

const cwd = tmpdir();

describe('runProgram', () => {
  it('kills the whole process group when time runs out', async () => {
    const result = await runProgram('sh', ['-c', 'sleep 30 & echo $!; wait'], { cwd, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(await eventually(() => !isAlive(grandchild))).toBe(true);
  });

  it('ends what a program left running when it exits, instead of waiting for it', async () => {
    const started = Date.now();
    const result = await runProgram('sh', ['-c', 'sleep 30 & echo $!'], { cwd, timeoutMs: 20_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await eventually(() => !isAlive(Number(result.stdout.trim())))).toBe(true);
  });

  it('runs without the test runner’s NODE_OPTIONS and with stdin at its end', async () => {
    const out = await runOrThrow('sh', ['-c', 'echo "[$NODE_OPTIONS]"; cat; echo "[$EXTRA]"'], {
      cwd,
      timeoutMs: 10_000,
      env: { EXTRA: 'x' },
    });
    expect(out).toBe('[]\n[x]\n');
  });

  it('says how a failed program ended', async () => {
    await expect(
      runOrThrow('sh', ['-c', 'echo oops >&2; exit 3'], { cwd, timeoutMs: 10_000 }),
    ).rejects.toThrow(/exited 3[\s\S]*oops/);
  });
});

describe('spawnInGroup', () => {
  it('killTree ends a long-running program and everything it started', async () => {
    const child = spawnInGroup('sh', ['-c', 'sleep 30 & echo $!; wait'], { cwd });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killTree(child);
    await exited;
    expect(await eventually(() => !isAlive(grandchild))).toBe(true);
  });
});
