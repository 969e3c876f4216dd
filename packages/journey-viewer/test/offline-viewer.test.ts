/** The viewer on its own (`x-journey-viewer trace.json`): the page and the trace, no live feed. */
import { spawnInGroup } from '@x/test-processes';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from '@jest/globals';
import { serveOfflineViewer } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'offline-viewer-'));
const trace = join(dir, 'saved.otlp.json');
writeFileSync(trace, '{"resourceSpans": []}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('serves the page and the trace it was given; no snapshot or events', async () => {
  const viewer = await serveOfflineViewer({ traceFile: trace });
  try {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/journeys$/);
    expect(await (await fetch(`${viewer.url}/config.json`)).json()).toEqual({
      live: false,
      trace: { url: 'trace.json', name: 'saved.otlp.json' },
    });
    expect(await (await fetch(`${viewer.url}/trace.json`)).text()).toBe('{"resourceSpans": []}');
    expect((await fetch(viewer.url)).status).toBe(200);
    expect((await fetch(`${viewer.url}/snapshot`)).status).toBe(404);
    expect((await fetch(`${viewer.url}/events`)).status).toBe(404);
    const root = await fetch(new URL('/', viewer.url), { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/journeys']);
  } finally {
    await viewer.close();
  }
});

test('the x-journey-viewer command prints its address and stops on SIGTERM', async () => {
  const child = spawnInGroup(process.execPath, [CLI, trace], {});
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /journey viewer: (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  expect((await fetch(`${url}/config.json`)).status).toBe(200);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

/** Runs the command to its end. */
async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnInGroup(process.execPath, [CLI, ...args], {});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

test('--help prints the usage and exits 0; a bad command line exits 2 with it', async () => {
  const help = await runCli(['--help']);
  expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^usage: x-journey-viewer/)]);
  const bad = await runCli(['--port', 'x']);
  expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/usage: x-journey-viewer/)]);
});

test('a trace file that is missing or not JSON fails at start, naming the file', async () => {
  const missing = join(dir, 'missing.json');
  const gone = await runCli([missing]);
  expect([gone.code, gone.stdout, gone.stderr]).toEqual([
    2,
    '',
    `x-journey-viewer: cannot read the trace file ${missing}: ENOENT\n`,
  ]);
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello');
  await expect(serveOfflineViewer({ traceFile: notJson })).rejects.toThrow(
    `the trace file ${notJson} is not JSON`,
  );
});
