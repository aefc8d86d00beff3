import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ServiceName, services } from '@baedal/stack';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { type KubernetesObject, podSpecOf, renderKustomization } from './kustomize.js';

/*
 * The Kubernetes manifests, rendered as `kubectl kustomize` renders them (base, and the local
 * overlay on it), validated against the Kubernetes schemas, and checked for what running the
 * supergraph needs: every service the stack starts has a Deployment with probes, resources,
 * a Service, an autoscaler and a disruption budget, and runs compiled code.
 */

const repository = fileURLToPath(new URL('../../', import.meta.url));
const k8s = fileURLToPath(new URL('../k8s/', import.meta.url));
const serviceNames = Object.keys(services) as ServiceName[];
const subgraphNames = serviceNames.filter((name) => name !== 'router');

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
}

/** The schemas of each API version the manifests use, by kind (kubernetes-models). */
const models: Record<string, object> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'policy/v1': policy,
};

/** Validates an object against the schema of its kind; throws naming what is wrong. */
function validate(object: KubernetesObject): void {
  const Model = (models[object.apiVersion] as Record<string, unknown> | undefined)?.[object.kind] as
    | (new (
        data: object,
      ) => { validate(): void })
    | undefined;
  if (!Model) throw new Error(`No schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

const find = (objects: KubernetesObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);

function deploymentOf(objects: KubernetesObject[], name: string) {
  const deployment = find(objects, 'Deployment', name);
  expect(deployment, `Deployment ${name}`).toBeDefined();
  const spec = deployment!.spec as {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  const container = spec.template.spec.containers.find((c) => c.name === name);
  expect(container, `container ${name} of Deployment ${name}`).toBeDefined();
  return { spec, pod: spec.template.spec, container: container! };
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const envOf = (container: Container, name: string) =>
  container.env?.find((variable) => variable.name === name);

const rendered = {
  base: await renderKustomization(`${k8s}base`),
  local: await renderKustomization(`${k8s}local`),
};

/** Checks what every rendering (base or overlay) must hold. */
function describeRendering(overlay: 'base' | 'local', minReplicas: number, image: string) {
  describe(`deploy/k8s/${overlay}`, () => {
    const objects = rendered[overlay];

    it('renders objects that all satisfy the Kubernetes schemas', () => {
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        expect(() => validate(object), `${object.kind} ${object.metadata.name}`).not.toThrow();
      }
    });

    it('names each object once per kind', () => {
      const keys = objects.map((object) => `${object.kind}/${object.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    describe.each(serviceNames)('%s', (name) => {
      const { port, workspace } = services[name];

      it('runs compiled code from the image, on its port', () => {
        const { container } = deploymentOf(objects, name);
        expect(container.image).toBe(image);
        expect(container.command).toEqual(['node', `${workspace}/dist/main.js`]);
        // The compiled entry point is built from this source.
        expect(existsSync(`${repository}${workspace}/src/main.ts`)).toBe(true);
        expect(container.ports).toContainEqual({ name: 'http', containerPort: port });
        expect(envOf(container, 'PORT')?.value).toBe(String(port));
      });

      it('is ready on /ready and alive on /health', () => {
        const { container } = deploymentOf(objects, name);
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
        expect(container.startupProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
      });

      it('asks for CPU and memory, within limits', () => {
        const { resources } = deploymentOf(objects, name).container;
        expect(Object.keys(resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      });

      it('drains after SIGTERM within the grace period', () => {
        const { pod, container } = deploymentOf(objects, name);
        const preStopSeconds = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
        // npm start itself gives a stopping service 15 s before it kills it.
        expect(pod.terminationGracePeriodSeconds! - preStopSeconds).toBeGreaterThanOrEqual(15);
      });

      it('reads its secrets from Secrets, never from the manifest', () => {
        const { container } = deploymentOf(objects, name);
        const secretNames = /SECRET|DATABASE_URL|REDIS_URL|POSTGRES_URL/;
        const secrets = (container.env ?? []).filter((variable) => secretNames.test(variable.name));
        expect(secrets.length).toBeGreaterThan(0);
        for (const variable of secrets) {
          expect(variable.value, variable.name).toBeUndefined();
          expect(variable.valueFrom?.secretKeyRef, variable.name).toBeDefined();
        }
      });

      it('is reached through a Service, on the same port', () => {
        const { spec } = deploymentOf(objects, name);
        expect(selects(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
        const service = find(objects, 'Service', name);
        const serviceSpec = service?.spec as {
          selector: Record<string, string>;
          ports: { port: number; targetPort: string }[];
        };
        expect(selects(serviceSpec.selector, spec.template.metadata.labels)).toBe(true);
        expect(serviceSpec.ports).toContainEqual(
          expect.objectContaining({ port, targetPort: 'http' }),
        );
      });

      it('scales with a HorizontalPodAutoscaler', () => {
        const autoscaler = find(objects, 'HorizontalPodAutoscaler', name);
        expect(autoscaler?.apiVersion).toBe('autoscaling/v2');
        const spec = autoscaler?.spec as {
          scaleTargetRef: object;
          minReplicas: number;
          maxReplicas: number;
        };
        expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(spec.minReplicas).toBe(minReplicas);
        expect(spec.maxReplicas).toBeGreaterThan(spec.minReplicas);
        // The autoscaler owns the count; a fixed one would be reset at every apply.
        expect(deploymentOf(objects, name).spec).not.toHaveProperty('replicas');
      });

      it('keeps all but one replica through voluntary disruptions', () => {
        const budget = find(objects, 'PodDisruptionBudget', name);
        const spec = budget?.spec as {
          maxUnavailable: number;
          selector: { matchLabels: Record<string, string> };
        };
        expect(spec.maxUnavailable).toBe(1);
        const { template } = deploymentOf(objects, name).spec;
        expect(selects(spec.selector.matchLabels, template.metadata.labels)).toBe(true);
      });
    });

    it.each(subgraphNames)(
      '%s names its event consumer after its pod (stable per replica)',
      (name) => {
        const { container } = deploymentOf(objects, name);
        expect(envOf(container, 'EVENT_CONSUMER_NAME')?.valueFrom).toEqual({
          fieldRef: { fieldPath: 'metadata.name' },
        });
      },
    );

    it('migrates the databases with a Job, compiled', () => {
      const job = find(objects, 'Job', 'migrate');
      expect(job?.apiVersion).toBe('batch/v1');
      const [container] = podSpecOf(job!)!.containers as Container[];
      expect(container!.image).toBe(image);
      expect(container!.command).toEqual(['node', 'prisma/dist/migrate.main.js']);
      expect(existsSync(`${repository}prisma/src/migrate.main.ts`)).toBe(true);
    });

    it('runs no TypeScript and no tsx', () => {
      for (const object of objects) {
        for (const container of (podSpecOf(object)?.containers ?? []) as Container[]) {
          const commandLine = [...(container.command ?? []), ...(container.args ?? [])];
          expect(commandLine.join(' ')).not.toMatch(/tsx|\.ts\b/);
        }
      }
    });

    it('takes every shared setting from the baedal ConfigMap', () => {
      const config = find(objects, 'ConfigMap', 'baedal');
      expect(config?.data).toMatchObject({ HOST: '0.0.0.0' });
      for (const name of serviceNames) {
        expect(deploymentOf(objects, name).container.envFrom).toEqual([
          { configMapRef: { name: 'baedal' } },
        ]);
      }
    });
  });
}

describeRendering('base', 2, 'baedal:0.1.0');
describeRendering('local', 1, 'baedal:local');

describe('deploy/k8s/base', () => {
  const objects = rendered.base;

  it('holds no Secret: they are created beside it', () => {
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
  });

  it('reads only the two documented Secrets', () => {
    const secretNames = new Set(
      objects.flatMap((object) =>
        ((podSpecOf(object)?.containers ?? []) as Container[]).flatMap((container) =>
          (container.env ?? []).flatMap((variable) => variable.valueFrom?.secretKeyRef?.name ?? []),
        ),
      ),
    );
    expect([...secretNames].sort()).toEqual(['baedal-connections', 'baedal-identity']);
  });

  it('seeds no demo data and serves no playground', () => {
    expect(find(objects, 'ConfigMap', 'baedal')?.data).toMatchObject({
      SEED_DEMO_DATA: 'false',
      PLAYGROUND: 'false',
    });
  });
});

describe('deploy/k8s/local', () => {
  const objects = rendered.local;

  it('runs PostgreSQL and Redis in the cluster, and points the services at them', () => {
    expect(find(objects, 'StatefulSet', 'postgres')).toBeDefined();
    expect(find(objects, 'StatefulSet', 'redis')).toBeDefined();
    const connections = find(objects, 'Secret', 'baedal-connections')?.data as Record<
      string,
      string
    >;
    const decoded = Object.fromEntries(
      Object.entries(connections).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString(),
      ]),
    );
    expect(decoded.REDIS_URL).toBe('redis://redis:6379');
    for (const name of subgraphNames) {
      expect(decoded[`${name.toUpperCase()}_DATABASE_URL`]).toBe(
        `postgresql://postgres@postgres:5432/baedal_${name}`,
      );
    }
  });

  it('leaves the signing secrets to be created by hand', () => {
    expect(find(objects, 'Secret', 'baedal-identity')).toBeUndefined();
  });

  it('puts everything in the baedal namespace', () => {
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe('baedal');
    }
  });

  it('seeds demo data and serves the playground', () => {
    expect(find(objects, 'ConfigMap', 'baedal')?.data).toMatchObject({
      SEED_DEMO_DATA: 'true',
      PLAYGROUND: 'true',
    });
  });
});
