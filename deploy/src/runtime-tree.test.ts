import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { services } from '@baedal/stack';
import { describe, expect, it } from 'vitest';
import { deployables, runtimeWorkspaces } from './runtime-tree.js';

/*
 * What the image carries. The tree itself is built and measured by `npm run bench -w
 * @baedal/deploy`, which runs the Dockerfile's build steps (minutes, and the registry).
 */

const repository = fileURLToPath(new URL('../../', import.meta.url));

describe('the run-time tree', () => {
  it('holds every service and the migration job', () => {
    const workspaces = Object.values(services).map((service) => service.workspace);
    expect([...deployables].sort()).toEqual([...workspaces, 'prisma'].sort());
  });

  it('holds the workspaces the services import, and none that only tests and tools use', async () => {
    const folders = await runtimeWorkspaces(repository);
    expect(folders).toEqual(
      expect.arrayContaining([
        ...deployables,
        'packages/service-kit',
        'packages/event-bus',
        'packages/identity',
        'packages/telemetry',
        'schema',
      ]),
    );
    expect(folders).not.toContain('packages/stack');
    expect(folders).not.toContain('deploy');
  });

  it('brings no build, test or TypeScript tool in as a production dependency', async () => {
    const tools = /^(tsx|typescript|prisma|vitest|turbo|esbuild|@biomejs\/.*|@types\/.*)$/;
    for (const folder of await runtimeWorkspaces(repository)) {
      const { dependencies = {} } = JSON.parse(
        await readFile(`${repository}${folder}/package.json`, 'utf8'),
      ) as { dependencies?: Record<string, string> };
      expect(
        Object.keys(dependencies).filter((name) => tools.test(name)),
        folder,
      ).toEqual([]);
    }
  });
});

describe('Dockerfile', async () => {
  const dockerfile = await readFile(`${repository}Dockerfile`, 'utf8');

  it("prunes to production dependencies, without the optional peers of Prisma's client", () => {
    expect(dockerfile).toContain('npm prune --omit=dev --omit=optional');
  });

  it('runs compiled code as an unprivileged user', () => {
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtimeStage).toContain('ENV NODE_ENV=production');
    expect(runtimeStage).toContain('USER node');
    expect(runtimeStage).toContain('CMD ["node", "router/dist/main.js"]');
  });
});
