/** The paths the deployment's probes, health check and scrapers hit are routes x-serve answers with 200. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { defaultModelPath, ensureDefaultModel, startServer } from '../src/index.js';
import {
  deployment,
  find,
  instruction,
  loadYaml,
  objects,
  server,
  type K8sObject,
} from './support/deploy-files.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-deploy-'));
let running: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: cache }));
  running = await startServer({ model, host: '127.0.0.1', port: 0, kvCacheMemory: 8 * 2 ** 20 });
});
afterAll(async () => {
  await running?.close();
  rmSync(cache, { recursive: true, force: true });
});

test('the probes, health check and scrapers hit routes x-serve answers with 200', async () => {
  const probes = [server.startupProbe, server.readinessProbe, server.livenessProbe].map((p) => p!.httpGet);
  for (const probe of probes) expect(probe.port).toBe('http');
  const monitor = find<K8sObject & { spec: { endpoints: { path: string }[] } }>(
    objects,
    'ServiceMonitor',
    'x-serve',
  );
  const [prometheus] = loadYaml<{ scrape_configs: { metrics_path: string }[] }>('prometheus.yaml');
  const healthcheck = /\|\| \d+\}(\/[\w/]+)`/.exec(
    instruction('HEALTHCHECK')[0]!.getArgumentsContent()!,
  )![1]!;
  const paths = new Set([
    ...probes.map((p) => p.path),
    healthcheck,
    deployment.spec.template.metadata.annotations!['prometheus.io/path']!,
    ...monitor.spec.endpoints.map((e) => e.path),
    prometheus!.scrape_configs[0]!.metrics_path,
  ]);
  expect([...paths].sort()).toEqual(['/health', '/metrics']);
  for (const path of paths)
    expect({ path, status: (await fetch(`${running.url}${path}`)).status }).toEqual({ path, status: 200 });
  expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('vllm:request_success_total');
});
