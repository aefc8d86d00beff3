/**
 * `npm run db:generate`: generates the Prisma client of every schema folder
 * (`prisma generate`), each into the code that owns it.
 *
 * `prisma generate` never runs Prisma's native schema engine, but the CLI will not start
 * without one and downloads it from Prisma's servers first. Where that server cannot be
 * reached (an offline machine), the CLI is pointed at a stand-in executable, which
 * `generate` only checks for existence. Anywhere else the CLI runs unchanged.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { schemaDir, schemaNames } from './schemas.js';

const require = createRequire(import.meta.url);
const run = promisify(execFile);

async function schemaEngineObtainable(): Promise<boolean> {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY) return true;
  const enginesDir = dirname(require.resolve('@prisma/engines/package.json'));
  if ((await readdir(enginesDir)).some((file) => file.startsWith('schema-engine'))) return true;
  const timeout = new Promise<false>((resolve) => setTimeout(resolve, 3000, false).unref());
  const reachable = lookup('binaries.prisma.sh').then(
    () => true,
    () => false,
  );
  return Promise.race([reachable, timeout]);
}

const env = (await schemaEngineObtainable())
  ? process.env
  : { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath };
const cli = require.resolve('prisma/build/index.js');

try {
  await Promise.all(
    schemaNames.map((name) =>
      run(process.execPath, [cli, 'generate', '--config', `${schemaDir(name)}prisma.config.ts`], {
        env: { ...env, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      }),
    ),
  );
  console.log(`Generated the Prisma clients of ${schemaNames.join(', ')}.`);
} catch (error) {
  const { stderr, stdout, message } = error as {
    stderr?: string;
    stdout?: string;
    message: string;
  };
  console.error(`prisma generate failed:\n${stderr || stdout || message}`);
  process.exit(1);
}
