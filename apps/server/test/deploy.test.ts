/**
 * The deployment files (deploy/) against the server they run: they parse, the Kubernetes objects
 * match the API schemas, and they agree with x-serve — flags and variables it accepts, routes it
 * answers, one port everywhere, grace periods longer than its drain, a non-root user on a read-only
 * root with every path it writes mounted, one `service.instance.id` per pod, and a Collector whose
 * pipelines use only what it defines. No Docker or Kubernetes is needed: nothing here runs them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { EXTENSIONS, SERVE_OPTIONS } from '../src/index.js';
import { envName } from '../src/option-specs.js';
import { buildProgram } from '../src/program.js';
import { resolveOptions } from '../src/resolve-config.js';
import {
  compose,
  DEPLOY,
  deployment,
  find,
  flagValue,
  instruction,
  loadYaml,
  objects,
  pod,
  replica,
  server,
  yamlFiles,
  type K8sObject,
  type Workload,
} from './support/deploy-files.js';

const SPECS = [...SERVE_OPTIONS, ...EXTENSIONS.flatMap((e) => e.options)];
const PORT = SERVE_OPTIONS.find((s) => s.name === 'port')!.default as number;
/**
 * What x-serve needs after its drain (--shutdown-timeout) before it exits: a second for the last
 * responses, then the span flush (at most 5 s). Measured here: 8 s from SIGTERM to exit 0 with
 * nothing in flight and a collector refusing connections; 10 s leaves room.
 */
const AFTER_DRAIN_S = 10;
/** Variables the stack reads besides x-serve's own: OpenTelemetry's, the cache's, Mesa's and Vulkan's. */
const STANDARD_ENV = new Set([
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'XDG_CACHE_HOME',
  'MESA_SHADER_CACHE_DIR',
  'LP_NUM_THREADS',
  'VK_DRIVER_FILES',
  'VK_ICD_FILENAMES',
  'NVIDIA_DRIVER_CAPABILITIES',
  'NVIDIA_VISIBLE_DEVICES',
]);

const serverEnv = Object.fromEntries((server.env ?? []).map((e) => [e.name, e.value ?? '']));
const imageEnv = Object.fromEntries(
  instruction('ENV').flatMap((i) =>
    i
      .getArgumentsContent()!
      .split(/\s+/)
      .map((kv) => kv.split('=')),
  ),
);
const [uid, gid] = instruction('USER').at(-1)!.getArgumentsContent()!.split(':').map(Number);
const seconds = (text: string) => Number(/^(\d+)s$/.exec(text)?.[1] ?? NaN);

describe('deploy/', () => {
  test('every YAML file parses, without warnings', () => {
    const files = yamlFiles();
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['compose.yaml', 'k8s/deployment.yaml', 'k8s/otel-collector-config.yaml']),
    );
    for (const { path, documents } of files) {
      expect({ path, problems: documents.flatMap((d) => [...d.errors, ...d.warnings].map(String)) }).toEqual({
        path,
        problems: [],
      });
    }
  });

  test('the Kubernetes objects match the API schemas', () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      'apps/v1 Deployment': Deployment,
      'v1 Service': Service,
      'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
      'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
    };
    for (const object of objects) {
      const Model = models[`${object.apiVersion} ${object.kind}`];
      expect({ object: `${object.apiVersion} ${object.kind}`, known: Model !== undefined }).toMatchObject({
        known: true,
      });
      expect(() => new Model!(object as never).validate()).not.toThrow();
    }
  });

  test('the image: pinned Node 24 on bookworm-slim, lavapipe 25, tini, port and signal for x-serve', () => {
    const from = instruction('ARG').find((i) => i.getArgumentsContent()!.startsWith('NODE_IMAGE='))!;
    expect(from.getArgumentsContent()).toMatch(/^NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/);
    const install = instruction('RUN')
      .map((i) => i.getArgumentsContent())
      .join('\n');
    expect(install).toMatch(/-t bookworm-backports mesa-vulkan-drivers/);
    expect(install).toMatch(/pnpm --filter @x\/server deploy --legacy --prod/);
    expect(instruction('EXPOSE').map((i) => i.getArgumentsContent())).toEqual([String(PORT)]);
    expect(instruction('STOPSIGNAL').map((i) => i.getArgumentsContent())).toEqual(['SIGTERM']);
    expect(instruction('ENTRYPOINT')[0]!.getArgumentsContent()).toBe(
      '["tini", "--", "node", "/app/dist/cli.js"]',
    );
    expect(instruction('HEALTHCHECK')[0]!.getArgumentsContent()).toContain(`|| ${PORT}}/health`);
  });

  test('flags and variables are ones x-serve accepts, with values it parses', () => {
    for (const [where, args, env] of [
      ['deployment', server.args ?? [], serverEnv],
      ['compose', replica.command ?? [], replica.environment ?? {}],
    ] as const) {
      const program = buildProgram(SPECS).configureOutput({ writeErr: () => {} });
      expect(() => program.parse(args, { from: 'user' })).not.toThrow();
      expect(() => resolveOptions(program, SPECS, env)).not.toThrow();
      expect(program.args).toEqual([]);
      const own = new Set(SPECS.flatMap((s) => [envName(s), ...(s.env ?? [])]));
      // Downward-API variables only feed others through $(NAME).
      const referenced = new Set(
        Object.values(env).flatMap((v) => [...v.matchAll(/\$\((\w+)\)/g)].map((m) => m[1]!)),
      );
      const unknown = Object.keys(env).filter(
        (n) => !own.has(n) && !STANDARD_ENV.has(n) && !referenced.has(n),
      );
      expect({ where, unknown }).toEqual({ where, unknown: [] });
    }
  });

  test('one port everywhere: image, pod, Service, scrapers, load balancer', () => {
    expect(flagValue(server.args ?? [], 'port') ?? String(PORT)).toBe(String(PORT));
    expect(server.ports).toEqual([{ name: 'http', containerPort: PORT }]);
    const service = find<
      K8sObject & { spec: { ports: { name: string; port: number; targetPort: string }[] } }
    >(objects, 'Service', 'x-serve');
    expect(service.spec.ports).toEqual([{ name: 'http', port: PORT, targetPort: 'http' }]);
    expect(deployment.spec.template.metadata.annotations?.['prometheus.io/port']).toBe(String(PORT));
    const monitor = find<K8sObject & { spec: { endpoints: { port: string }[] } }>(
      objects,
      'ServiceMonitor',
      'x-serve',
    );
    expect(monitor.spec.endpoints.map((e) => e.port)).toEqual(['http']);
    expect(readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8')).toContain(`server x-serve:${PORT} resolve;`);
    const [prometheus] = loadYaml<{
      scrape_configs: { dns_sd_configs: { names: string[]; port: number }[] }[];
    }>('prometheus.yaml');
    expect(prometheus!.scrape_configs[0]!.dns_sd_configs).toEqual([
      expect.objectContaining({ names: ['x-serve'], port: PORT }),
    ]);
    expect(replica.environment?.X_SERVE_PORT ?? String(PORT)).toBe(String(PORT));
  });

  test('two replicas or more, each stopped only after its drain and span flush', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(replica.deploy?.replicas).toBeGreaterThanOrEqual(2);
    const drain = (args: readonly string[]) =>
      Number(flagValue(args, 'shutdown-timeout') ?? 5) + AFTER_DRAIN_S;
    const preStop = server.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop.slice(0, 1)).toEqual(['sleep']);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(preStop[1]) + drain(server.args ?? []));
    expect(seconds(replica.stop_grace_period ?? '10s')).toBeGreaterThan(drain(replica.command ?? []));
  });

  test('non-root on a read-only root, with every path x-serve writes mounted', () => {
    expect(uid).toBeGreaterThan(0);
    expect(
      instruction('RUN').some((i) => i.getArgumentsContent()!.includes(`chown ${uid}:${gid} /cache`)),
    ).toBe(true);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid });
    expect(server.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    // The default model and Mesa's shader cache go under XDG_CACHE_HOME; Node may use /tmp.
    const writable = [imageEnv.XDG_CACHE_HOME!, '/tmp'];
    expect(writable[0]).toBe('/cache');
    const mounts = server.volumeMounts ?? [];
    for (const path of writable)
      expect(mounts.find((m) => m.mountPath === path && !m.readOnly)).toBeDefined();
    expect(mounts.find((m) => m.mountPath === '/models')).toMatchObject({ readOnly: true });
    expect(replica.read_only).toBe(true);
    expect(replica.volumes?.some((v) => v.endsWith(`:${writable[0]}`))).toBe(true);
    expect(replica.tmpfs).toContain('/tmp');
  });

  test('every pod traces under its own service.instance.id, to the Collector', () => {
    const names = (server.env ?? []).map((e) => e.name);
    expect(server.env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'metadata.name',
    );
    expect(serverEnv.OTEL_RESOURCE_ATTRIBUTES).toContain('service.instance.id=$(POD_NAME)');
    // Kubernetes expands $(NAME) only for variables defined above the one that uses it.
    for (const [at, e] of (server.env ?? []).entries()) {
      for (const [, ref] of (e.value ?? '').matchAll(/\$\((\w+)\)/g))
        expect(names.indexOf(ref!)).toBeLessThan(at);
    }
    expect(serverEnv.OTEL_SERVICE_NAME).toBe('x-serve');
    expect(flagValue(server.args ?? [], 'enable-journey-tracing') ?? '').not.toBe('false');
    expect((server.args ?? []).concat(replica.command ?? [])).toEqual(
      expect.arrayContaining(['--enable-journey-tracing']),
    );
    const collector = find<K8sObject & { spec: { ports: { port: number; targetPort: string }[] } }>(
      objects,
      'Service',
      'otel-collector',
    );
    const otlpHttp = collector.spec.ports.find((p) => p.targetPort === 'otlp-http')!.port;
    expect(serverEnv.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://otel-collector:${otlpHttp}`);
    expect(replica.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://otel-collector:${otlpHttp}`);
    expect(compose!.services['otel-collector']).toBeDefined();
  });

  test("the Collector's pipelines use only what it defines, and compose and Kubernetes share it", () => {
    type Section = Record<string, unknown> | undefined;
    const [config] = loadYaml<{
      receivers: Section;
      processors: Section;
      exporters: Section;
      extensions: Section;
      service: { extensions?: string[]; pipelines: Record<string, Record<string, string[]>> };
    }>('k8s/otel-collector-config.yaml');
    const used = new Set<string>();
    for (const pipeline of Object.values(config!.service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const name of pipeline[kind] ?? []) {
          expect({ kind, name, defined: name in (config![kind] ?? {}) }).toEqual({
            kind,
            name,
            defined: true,
          });
          used.add(`${kind} ${name}`);
        }
      }
      expect(pipeline.receivers?.length && pipeline.exporters?.length).toBeTruthy();
    }
    for (const name of config!.service.extensions ?? []) expect(config!.extensions).toHaveProperty([name]);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const name of Object.keys(config![kind] ?? {})) expect(used).toContain(`${kind} ${name}`);
    }
    const receiverPort = (protocol: string) =>
      Number(/:(\d+)$/.exec((config!.receivers as never)['otlp']['protocols'][protocol]['endpoint'])![1]);
    const collector = find<Workload>(objects, 'Deployment', 'otel-collector').spec.template.spec
      .containers[0]!;
    expect(collector.ports).toEqual(
      expect.arrayContaining([
        { name: 'otlp-grpc', containerPort: receiverPort('grpc') },
        { name: 'otlp-http', containerPort: receiverPort('http') },
      ]),
    );
    const [kustomization] = loadYaml<{ configMapGenerator: { name: string; files: string[] }[] }>(
      'k8s/kustomization.yaml',
    );
    expect(kustomization!.configMapGenerator).toEqual([
      { name: 'otel-collector-config', files: ['config.yaml=otel-collector-config.yaml'] },
    ]);
    expect(compose!.services['otel-collector']!.volumes).toContain(
      './k8s/otel-collector-config.yaml:/conf/config.yaml:ro',
    );
    // The backend the exporter names is set wherever the Collector runs.
    expect(collector.env?.map((e) => e.name)).toContain('TRACES_BACKEND');
    expect(compose!.services['otel-collector']!.environment).toHaveProperty('TRACES_BACKEND');
  });

  test('every image but our own is pinned to a version', () => {
    const images = [
      ...Object.values(compose!.services).flatMap((s) => (s.image ? [s.image] : [])),
      ...objects.flatMap((o) => ((o as Workload).spec?.template?.spec.containers ?? []).map((c) => c.image)),
    ].filter((name) => !name.startsWith('x-serve:'));
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const name of images) expect(name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
  });
});
