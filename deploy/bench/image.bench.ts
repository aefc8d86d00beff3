/**
 * What the Docker image holds and how fast its services start, measured without a Docker
 * engine. Runs the build stage's RUN line of the Dockerfile in a clean copy of the working
 * tree (install, build, prune, copy the run-time files), then:
 *
 * - the size of the run-time tree (the image's /app, on top of the node:24 base image), and
 *   that it holds no tsx, TypeScript, Prisma CLI or Studio, test or build tools;
 * - how long each service takes from spawn to ready (it accepts requests), compiled from the
 *   tree with NODE_ENV=production as the image runs it, and from the TypeScript sources
 *   through tsx as `npm start` runs it; one service at a time, 5 runs each, alternating.
 *   Wall time, and the CPU time the process used until then (Linux), which other load on
 *   the machine disturbs less.
 *
 *     npm run bench -w @baedal/deploy
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateServiceKeyPair } from '@baedal/identity';
import { databaseUrlFor } from '@baedal/prisma';
import { isolatedPrefixes, resetStack, type ServiceName, services } from '@baedal/stack';

const repository = fileURLToPath(new URL('../../', import.meta.url));
const runs = 5;
const forbidden = [
  'tsx',
  'typescript',
  'prisma',
  '@prisma/studio-core',
  'vitest',
  'turbo',
  'esbuild',
  '@biomejs/biome',
  'playwright-core',
];

const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

const work = await mkdtemp(join(tmpdir(), 'baedal-image-'));
const source = join(work, 'src');
const app = join(work, 'app');
const { databasePrefix, streamPrefix } = isolatedPrefixes('bench');
const postgresUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

try {
  // The build context: what git tracks or would track (.gitignore leaves out node_modules,
  // dist and generated clients, as .dockerignore does).
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repository,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repository, file)));
  for (const file of files) {
    await mkdir(join(source, file, '..'), { recursive: true });
    await cp(join(repository, file), join(source, file), { verbatimSymlinks: true });
  }

  const dockerfile = await readFile(join(repository, 'Dockerfile'), 'utf8');
  const run = /^RUN ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1]?.replace(/\\\n/g, ' ');
  if (!run?.includes('runtime-tree.main.js /app')) {
    throw new Error("The Dockerfile's build stage no longer ends by copying the tree to /app.");
  }
  console.log(`Building as the Dockerfile does, in ${source} (a few minutes)...`);
  const buildStarted = performance.now();
  execFileSync(
    'sh',
    ['-c', run.replace('runtime-tree.main.js /app', `runtime-tree.main.js ${app}`)],
    {
      cwd: source,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  console.log(`Built in ${((performance.now() - buildStarted) / 1000).toFixed(0)} s.\n`);

  const present = forbidden.filter((name) => existsSync(join(app, 'node_modules', name)));
  if (present.length > 0) throw new Error(`The run-time tree holds ${present.join(', ')}.`);
  const total = await treeSize(app);
  const modules = await treeSize(join(app, 'node_modules'));
  console.log("The image's /app (on top of node:24-bookworm-slim)");
  console.table({
    'node_modules (production dependencies)': mib(modules),
    'Baedal (compiled code, SDL, migrations, playground)': mib({
      bytes: total.bytes - modules.bytes,
      files: total.files - modules.files,
    }),
    total: mib(total),
  });
  console.log(`None of ${forbidden.join(', ')} is in it.\n`);

  const migrateMs = await timeToExit(join(app, 'prisma/dist/migrate.main.js'), {
    POSTGRES_URL: postgresUrl,
    DATABASE_PREFIX: databasePrefix,
  });
  console.log(`Migration job (four databases, from empty): ${Math.round(migrateMs)} ms\n`);

  const samples: Record<string, Record<'compiled' | 'source', Start[]>> = {};
  for (const name of Object.keys(services) as ServiceName[]) {
    samples[name] = { compiled: [], source: [] };
    const env = environmentOf(name);
    const { workspace } = services[name];
    for (let i = 0; i < runs; i++) {
      samples[name].compiled.push(
        await timeToReady([join(app, workspace, 'dist/main.js')], {
          ...env,
          NODE_ENV: 'production',
        }),
      );
      samples[name].source.push(
        await timeToReady(
          [
            '--conditions=@baedal/source',
            '--import',
            'tsx',
            join(repository, workspace, 'src/main.ts'),
          ],
          env,
        ),
      );
    }
  }
  console.log(`From spawn to ready, one service at a time (median of ${runs} runs)`);
  console.table(
    Object.fromEntries(
      Object.entries(samples).map(([name, { compiled, source }]) => [
        name,
        {
          'compiled, ms': median(compiled.map((start) => start.ms)),
          'tsx, ms': median(source.map((start) => start.ms)),
          'compiled, CPU ms': median(compiled.map((start) => start.cpuMs)),
          'tsx, CPU ms': median(source.map((start) => start.cpuMs)),
          'compiled runs, ms': compiled.map((start) => Math.round(start.ms)).join(', '),
          'tsx runs, ms': source.map((start) => Math.round(start.ms)).join(', '),
        },
      ]),
    ),
  );
} finally {
  // The databases and Redis keys of the services started here.
  await resetStack({ postgresUrl, redisUrl, databasePrefix, streamPrefix, ports: {} });
  await rm(work, { recursive: true, force: true });
}

/** Production refuses development keys: this run's own, the same for every service. */
const routerKeys = generateServiceKeyPair();
const orderKeys = generateServiceKeyPair();

function environmentOf(name: ServiceName): NodeJS.ProcessEnv {
  const secrets = {
    JWT_SECRET: 'bench-only-user-token-secret-000000000001',
    ROUTER_PRIVATE_KEY: routerKeys.privateKey,
    ROUTER_PUBLIC_KEYS: routerKeys.publicKey,
    ORDER_PRIVATE_KEY: orderKeys.privateKey,
    ORDER_PUBLIC_KEYS: orderKeys.publicKey,
    CORS_ORIGINS: 'http://localhost:4000',
  };
  const common = { ...secrets, PORT: '0', EVENT_STREAM_PREFIX: streamPrefix, LOG_LEVEL: 'warn' };
  return name === 'router'
    ? common
    : {
        ...common,
        DATABASE_URL: databaseUrlFor(postgresUrl, databasePrefix, name),
        EVENT_CONSUMER_NAME: 'bench',
      };
}

interface Start {
  /** From spawn to the ready message. */
  readonly ms: number;
  /** CPU time the process used until then; NaN where /proc is missing. */
  readonly cpuMs: number;
}

/** Times `node <args>` from spawn to its ready message; then stops it. */
async function timeToReady(args: string[], env: NodeJS.ProcessEnv): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const ready = await Promise.race([
    once(child, 'message').then(async () => ({
      ms: performance.now() - started,
      cpuMs: await cpuMsOf(child.pid!),
    })),
    exited.then(([code]) => {
      throw new Error(`${args.at(-1)} exited (${code}) before it was ready.`);
    }),
  ]);
  child.kill('SIGTERM');
  await exited;
  return ready;
}

/** User and system CPU time of a running process, from /proc/<pid>/stat (Linux). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // After the command name in parentheses: state is field 3, utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1000;
}

async function timeToExit(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${script} exited with ${code}.`);
  return performance.now() - started;
}

/** Bytes and files under `dir`, as stored (symbolic links counted, not followed). */
async function treeSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue;
    bytes += (await lstat(join(entry.parentPath, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

function mib({ bytes, files }: { bytes: number; files: number }) {
  return { MiB: Math.round((bytes / 2 ** 20) * 10) / 10, files };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}
