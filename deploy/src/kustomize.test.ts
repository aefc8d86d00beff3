import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderKustomization } from './kustomize.js';

/* The renderer refuses what it does not render as kustomize would, instead of ignoring it. */

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function kustomization(text: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'baedal-kustomize-'));
  await writeFile(join(dir, 'kustomization.yaml'), text);
  await writeFile(
    join(dir, 'config.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  A: "1"\n',
  );
  return dir;
}

describe('renderKustomization', () => {
  it('renders resources, generators, patches and the namespace', async () => {
    const objects = await renderKustomization(
      await kustomization(`namespace: demo
resources: [config.yaml]
secretGenerator:
  - name: secret
    literals: [KEY=a=b]
generatorOptions:
  disableNameSuffixHash: true
patches:
  - target: { kind: ConfigMap }
    patch: |-
      - op: replace
        path: /data/A
        value: "2"
`),
    );
    expect(objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'config', namespace: 'demo' },
        data: { A: '2' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'secret', namespace: 'demo' },
        type: 'Opaque',
        data: { KEY: Buffer.from('a=b').toString('base64') },
      },
    ]);
  });

  it('refuses a field it does not render', async () => {
    await expect(
      renderKustomization(await kustomization('namePrefix: x-\nresources: [config.yaml]\n')),
    ).rejects.toThrow('unsupported fields namePrefix');
  });

  it('refuses generated names with a hash, which it does not compute', async () => {
    await expect(
      renderKustomization(
        await kustomization('configMapGenerator:\n  - name: c\n    literals: [A=1]\n'),
      ),
    ).rejects.toThrow('disableNameSuffixHash');
  });

  it('refuses a patch that matches nothing', async () => {
    await expect(
      renderKustomization(
        await kustomization(
          'resources: [config.yaml]\npatches:\n  - target: { kind: Secret }\n    patch: "[]"\n',
        ),
      ),
    ).rejects.toThrow('matches nothing');
  });
});
