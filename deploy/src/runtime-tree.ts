import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The workspaces that run in production: the five services and the migration job. */
export const deployables = [
  'router',
  'subgraphs/order',
  'subgraphs/payment',
  'subgraphs/kitchen',
  'subgraphs/delivery',
  'prisma',
] as const;

const databases = ['order', 'payment', 'kitchen', 'delivery'];

/** What a workspace reads at run time besides its compiled code (`dist/`). */
const assets: Readonly<Record<string, readonly string[]>> = {
  schema: [...databases, 'supergraph'].map((name) => `${name}.graphql`),
  // The migration job applies the migrations and hands the schema to the engine.
  prisma: databases.flatMap((name) => [
    `${name}/schema.prisma`,
    `${name}/event-bus.prisma`,
    `${name}/migrations`,
  ]),
  router: ['playground/dist'],
};

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

const readManifest = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every workspace of the repository, by package name: its folder, relative to the root. */
async function listWorkspaces(repository: string): Promise<Map<string, string>> {
  const folders: string[] = [];
  for (const pattern of (await readManifest(repository)).workspaces ?? []) {
    if (!pattern.includes('*')) folders.push(pattern);
    else if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      const entries = await readdir(join(repository, parent), { withFileTypes: true });
      for (const entry of entries) {
        if (existsSync(join(repository, parent, entry.name, 'package.json'))) {
          folders.push(`${parent}/${entry.name}`);
        }
      }
    } else throw new Error(`Workspace pattern ${pattern} is not supported.`);
  }
  const workspaces = new Map<string, string>();
  for (const folder of folders) {
    workspaces.set((await readManifest(join(repository, folder))).name, folder);
  }
  return workspaces;
}

/**
 * The folders of the workspaces production needs: the deployables and, transitively, the
 * workspaces among their `dependencies` (devDependencies stay out). Sorted.
 */
export async function runtimeWorkspaces(repository: string): Promise<string[]> {
  const workspaces = await listWorkspaces(repository);
  const folders = new Set<string>();
  const visit = async (folder: string) => {
    if (folders.has(folder)) return;
    folders.add(folder);
    const { dependencies = {} } = await readManifest(join(repository, folder));
    for (const name of Object.keys(dependencies)) {
      const dependency = workspaces.get(name);
      if (dependency) await visit(dependency);
    }
  };
  for (const deployable of deployables) await visit(deployable);
  return [...folders].sort();
}

/**
 * Copies what the services need at run time from a built working copy whose `node_modules`
 * holds production dependencies only (after `npm prune --omit=dev`) into `target`: that
 * `node_modules` (without links to workspaces production does not need), and of each
 * runtime workspace its `package.json`, the JavaScript of `dist/`, its assets and its own
 * `node_modules`. No sources, tests, type declarations or source maps. The Dockerfile's
 * build stage makes the image's `/app` with it. Fails if a file it needs is missing (run
 * `npm run build` first). Resolves with the workspaces copied.
 */
export async function copyRuntimeTree(repository: string, target: string): Promise<string[]> {
  const folders = await runtimeWorkspaces(repository);
  await mkdir(target, { recursive: true });
  await cp(join(repository, 'LICENSE'), join(target, 'LICENSE'));
  await cp(join(repository, 'node_modules'), join(target, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  // npm links every workspace into node_modules; keep the links to the ones copied.
  const workspaces = await listWorkspaces(repository);
  for (const [name, folder] of workspaces) {
    if (!folders.includes(folder)) await rm(join(target, 'node_modules', name), { force: true });
  }

  for (const folder of folders) {
    const from = join(repository, folder);
    const to = join(target, folder);
    await mkdir(to, { recursive: true });
    await cp(join(from, 'package.json'), join(to, 'package.json'));
    if (existsSync(join(from, 'src'))) {
      if (!existsSync(join(from, 'dist')))
        throw new Error(`${folder}/dist is missing: build first.`);
      await cp(join(from, 'dist'), join(to, 'dist'), {
        recursive: true,
        filter: async (source) => (await lstat(source)).isDirectory() || source.endsWith('.js'),
      });
    }
    for (const asset of assets[folder] ?? []) {
      // Symbolic links (event-bus.prisma) are copied as the files they point to.
      await cp(join(from, asset), join(to, asset), { recursive: true, dereference: true });
    }
    if (existsSync(join(from, 'node_modules'))) {
      await cp(join(from, 'node_modules'), join(to, 'node_modules'), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
  }
  return folders;
}
