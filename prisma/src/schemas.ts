import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The subgraphs that own a database, in the order `npm start` migrates them. */
export const subgraphSchemas = ['order', 'payment', 'kitchen', 'delivery'] as const;
export type SubgraphSchema = (typeof subgraphSchemas)[number];

/** Every schema folder: the four subgraphs and the event bus's test fixture. */
export const schemaNames = [...subgraphSchemas, 'fixture'] as const;
export type SchemaName = (typeof schemaNames)[number];

/** Absolute path of a schema folder (`prisma/<name>`). */
export function schemaDir(name: SchemaName): string {
  return fileURLToPath(new URL(`../${name}/`, import.meta.url));
}

export interface SchemaFile {
  readonly path: string;
  readonly content: string;
}

/** The `.prisma` files of a schema folder (symlinked files included), sorted by name. */
export async function readSchemaFiles(name: SchemaName): Promise<SchemaFile[]> {
  const dir = schemaDir(name);
  const names = (await readdir(dir)).filter((file) => file.endsWith('.prisma')).sort();
  return Promise.all(
    names.map(async (file) => ({
      path: `${dir}${file}`,
      content: await readFile(`${dir}${file}`, 'utf8'),
    })),
  );
}
