import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import type { SchemaFile } from './schemas.js';

/*
 * Prisma's schema engine, as WebAssembly. The Prisma CLI downloads a native engine
 * binary from Prisma's servers before every command; the same engine ships on npm as
 * WebAssembly, and driven through the `pg` driver adapter it migrates with no download.
 * Its `applyMigrations` keeps `_prisma_migrations` exactly as `prisma migrate deploy`
 * does, so either tool can take over a database from the other.
 */

export type SchemaEngine = glue.SchemaEngine;

// @types/node 20 does not declare the WebAssembly global that Node provides.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

let loaded: Promise<void> | undefined;

/** The package's default entry imports the .wasm file directly, which Node cannot do. */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require
      .resolve('@prisma/schema-engine-wasm')
      .replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const module = new WebAssembly.Module(await readFile(wasmPath));
    const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
    const exports = instance.exports as unknown as { __wbindgen_start(): void };
    (glue as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return loaded;
}

/** Runs `work` with an engine connected to `databaseUrl`, then frees the engine and its pool. */
export async function withSchemaEngine<T>(
  files: readonly SchemaFile[],
  databaseUrl: string,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, allowExitOnIdle: true });
  try {
    const engine = await glue.SchemaEngine.new(
      { datamodels: files.map((file) => [file.path, file.content] as [string, string]) },
      () => {},
      bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool)),
    );
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}

export const noFilters = { externalTables: [], externalEnums: [] };
