import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as it comes out of a manifest. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Generator {
  name: string;
  behavior?: 'create' | 'merge';
  literals?: string[];
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  patches?: { target: { kind: string; name?: string }; patch: string }[];
}

const supportedFields = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'images',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'patches',
]);

/** Kinds that live outside namespaces, among those the manifests use. */
const clusterScoped = new Set(['Namespace']);

/**
 * Renders the kustomization in `dir` (base and overlays) into the objects `kubectl kustomize`
 * prints, for the fields the manifests under `deploy/k8s` use: resources, namespace, images,
 * ConfigMap and Secret generators (literals, `create` or `merge`, without name hashes) and
 * JSON 6902 patches selected by kind and name. Any other field fails the render, so that a
 * manifest cannot use more than is checked.
 *
 * Written here because kustomize is a Go program and the tests must run where only Node is
 * installed; where kubectl is, `kubectl kustomize deploy/k8s/<overlay>` gives the same objects.
 */
export async function renderKustomization(dir: string): Promise<KubernetesObject[]> {
  const kustomization = parse(
    await readFile(join(dir, 'kustomization.yaml'), 'utf8'),
  ) as Kustomization;
  const unsupported = Object.keys(kustomization).filter((field) => !supportedFields.has(field));
  if (unsupported.length > 0) {
    throw new Error(`${dir}/kustomization.yaml: unsupported fields ${unsupported.join(', ')}`);
  }

  const objects: KubernetesObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if ((await stat(path)).isDirectory()) objects.push(...(await renderKustomization(path)));
    else objects.push(...(await readObjects(path)));
  }

  const generators = [
    ...(kustomization.configMapGenerator ?? []).map((g) => ({ ...g, kind: 'ConfigMap' })),
    ...(kustomization.secretGenerator ?? []).map((g) => ({ ...g, kind: 'Secret' })),
  ];
  if (generators.length > 0 && !kustomization.generatorOptions?.disableNameSuffixHash) {
    throw new Error(`${dir}: generators need generatorOptions.disableNameSuffixHash: true`);
  }
  for (const generator of generators) generate(objects, generator);

  for (const { target, patch } of kustomization.patches ?? []) {
    if (typeof patch !== 'string') throw new Error(`${dir}: only inline JSON 6902 patches`);
    const operations = parse(patch) as Operation[];
    const targets = objects.filter(
      (object) =>
        object.kind === target.kind &&
        (target.name === undefined || object.metadata.name === target.name),
    );
    if (targets.length === 0) throw new Error(`${dir}: a patch matches nothing`);
    for (const object of targets) fastJsonPatch.applyPatch(object, operations, true);
  }

  if (kustomization.namespace) {
    for (const object of objects) {
      if (!clusterScoped.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }

  for (const image of kustomization.images ?? []) {
    for (const container of containersOf(objects)) {
      const [name, tag] = container.image.split(':');
      if (name !== image.name) continue;
      const newTag = image.newTag ?? tag;
      container.image = `${image.newName ?? name}${newTag ? `:${newTag}` : ''}`;
    }
  }
  return objects;
}

async function readObjects(path: string): Promise<KubernetesObject[]> {
  return parseAllDocuments(await readFile(path, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]!.message}`);
      return document.toJS() as KubernetesObject | null;
    })
    .filter((object): object is KubernetesObject => object !== null);
}

function generate(objects: KubernetesObject[], generator: Generator & { kind: string }) {
  const data = Object.fromEntries(
    (generator.literals ?? []).map((literal) => {
      const at = literal.indexOf('=');
      const value = literal.slice(at + 1);
      return [
        literal.slice(0, at),
        generator.kind === 'Secret' ? Buffer.from(value).toString('base64') : value,
      ];
    }),
  );
  const existing = objects.find(
    (object) => object.kind === generator.kind && object.metadata.name === generator.name,
  );
  if (generator.behavior === 'merge') {
    if (!existing) throw new Error(`${generator.kind} ${generator.name}: nothing to merge into`);
    existing.data = { ...(existing.data as object), ...data };
    return;
  }
  if (existing) throw new Error(`${generator.kind} ${generator.name} is generated twice`);
  objects.push({
    apiVersion: 'v1',
    kind: generator.kind,
    metadata: { name: generator.name },
    ...(generator.kind === 'Secret' && { type: 'Opaque' }),
    data,
  });
}

interface Container {
  image: string;
}

/** The containers (and init containers) of every workload's pod template. */
function containersOf(objects: readonly KubernetesObject[]): Container[] {
  return objects.flatMap((object) => {
    const pod = podSpecOf(object);
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
  });
}

/** The pod template's spec of a Deployment, StatefulSet or Job; undefined for other kinds. */
export function podSpecOf(
  object: KubernetesObject,
): { containers: Container[]; initContainers?: Container[] } | undefined {
  const spec = object.spec as { template?: { spec?: { containers: Container[] } } } | undefined;
  return spec?.template?.spec;
}
