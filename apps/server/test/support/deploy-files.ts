/** The deployment files of the repository's deploy/ folder, parsed, for the tests that check them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { parseAllDocuments, type Document } from 'yaml';

/** deploy/ at the repository root. */
export const DEPLOY = fileURLToPath(new URL('../../../../deploy/', import.meta.url));

/** A YAML file of deploy/, every document of it. */
export interface YamlFile {
  /** Relative to deploy/. */
  readonly path: string;
  readonly documents: Document[];
}

/** Every `.yaml` under deploy/. */
export function yamlFiles(dir = DEPLOY): YamlFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({
      path: relative(DEPLOY, join(dir, name)),
      documents: parseAllDocuments(readFileSync(join(dir, name), 'utf8')) as Document[],
    }));
}

/** The plain value of every document in a deploy/ file (`k8s/service.yaml`). */
export function loadYaml<T = Record<string, unknown>>(path: string): T[] {
  return parseAllDocuments(readFileSync(join(DEPLOY, path), 'utf8')).map((d) => (d as Document).toJS() as T);
}

/** deploy/Dockerfile, parsed. */
export function dockerfile(): Dockerfile {
  return DockerfileParser.parse(readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8'));
}

/** A Kubernetes object, as much of it as the tests read. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
}

/** What the tests read of a pod's container. */
export interface Container {
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
/** An HTTP probe. */
export interface Probe {
  httpGet: { path: string; port: string | number };
}
/** What the tests read of a pod. */
export interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}
/** A Deployment. */
export interface Workload extends K8sObject {
  spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } };
}
/** A compose service. */
export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  read_only?: boolean;
  tmpfs?: string[];
  volumes?: string[];
}

/** The objects of every manifest the kustomization lists, plus `extra` files (the ServiceMonitor). */
export function k8sObjects(extra: readonly string[] = []): K8sObject[] {
  const [kustomization] = loadYaml<{ resources: string[] }>('k8s/kustomization.yaml');
  return [...kustomization!.resources, ...extra].flatMap((file) => loadYaml<K8sObject>(`k8s/${file}`));
}

/** The object of `kind` named `name`; throws when there is none. */
export function find<T = K8sObject>(objects: readonly K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found as T;
}

/** A container's flags from a list such as `--a=1 --b 2 --c`, as separate words (`--a`, `1`, …). */
export function argWords(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    const eq = arg.indexOf('=');
    return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
  });
}

/** The value of `--name` in `args` (either `--name=v` or `--name v`). */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const words = argWords(args);
  const at = words.indexOf(`--${name}`);
  return at < 0 ? undefined : words[at + 1];
}

/** The files' contents, as the tests read them. */
export const objects = k8sObjects(['servicemonitor.yaml']);
export const deployment = find<Workload>(objects, 'Deployment', 'x-serve');
export const pod = deployment.spec.template.spec;
/** The x-serve container of the Deployment. */
export const server = pod.containers[0]!;
export const [compose] = loadYaml<{ services: Record<string, ComposeService> }>('compose.yaml');
/** The x-serve service of compose.yaml. */
export const replica = compose!.services['x-serve']!;
export const image = dockerfile();
/** The Dockerfile's instructions of one kind. */
export const instruction = (keyword: string) =>
  image.getInstructions().filter((i) => i.getKeyword() === keyword);
