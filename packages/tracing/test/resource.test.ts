/** The resource on every span: who sent it, by the setup, the standard variables, or defaults. */
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from '@jest/globals';
import { tracingResource } from '../src/create-tracer-provider.js';

const VARIABLES = ['OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES'] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function withEnv(env: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
}

describe('tracingResource', () => {
  it('defaults to x-llm, this host, and a fresh UUID per provider', () => {
    withEnv({});
    const [a, b] = [tracingResource().attributes, tracingResource().attributes];
    expect(a['service.name']).toBe('x-llm');
    expect(a['host.name']).toBe(hostname());
    expect(a['service.instance.id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(b['service.instance.id']).not.toBe(a['service.instance.id']);
  });

  it('takes OTEL_RESOURCE_ATTRIBUTES (every attribute), with OTEL_SERVICE_NAME over its service.name', () => {
    withEnv({
      OTEL_SERVICE_NAME: 'x-serve',
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=ignored,service.instance.id=pod-7,k8s.pod.name=pod-7,host.name=node-a',
    });
    expect(tracingResource().attributes).toMatchObject({
      'service.name': 'x-serve',
      'service.instance.id': 'pod-7',
      'k8s.pod.name': 'pod-7',
      'host.name': 'node-a',
    });
    withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' });
    expect(tracingResource().attributes['service.name']).toBe('from-attributes');
  });

  it('takes defaultServiceName only where neither variable names the service', () => {
    const name = () => tracingResource({ defaultServiceName: 'x-serve' }).attributes['service.name'];
    withEnv({});
    expect(name()).toBe('x-serve');
    withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' });
    expect(name()).toBe('from-attributes');
    withEnv({ OTEL_SERVICE_NAME: 'env' });
    expect(name()).toBe('env');
  });

  it('lets the setup override the environment', () => {
    withEnv({ OTEL_SERVICE_NAME: 'env', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=env-id,team=infra' });
    expect(tracingResource({ serviceName: 'given', serviceInstanceId: 'given-id' }).attributes).toMatchObject(
      {
        'service.name': 'given',
        'service.instance.id': 'given-id',
        team: 'infra',
      },
    );
  });

  it('ignores a malformed OTEL_RESOURCE_ATTRIBUTES whole, as the specification says', () => {
    withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=a=b' });
    const attributes = tracingResource().attributes;
    expect(attributes['service.instance.id']).not.toBe('a=b');
    expect(attributes['service.name']).toBe('x-llm');
  });
});
