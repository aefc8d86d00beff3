import pg from 'pg';

/** PostgreSQL's error code for CREATE DATABASE of a name that exists. */
const duplicateDatabase = '42P04';

function splitDatabaseUrl(databaseUrl: string): { serverUrl: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new Error(
      `Database name "${database}" must be lower-case letters, digits and underscores.`,
    );
  }
  url.pathname = '/postgres';
  return { serverUrl: url.toString(), database };
}

async function withServer<T>(
  databaseUrl: string,
  work: (client: pg.Client, database: string) => Promise<T>,
) {
  const { serverUrl, database } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client, database);
  } finally {
    await client.end();
  }
}

/** Creates the database of `databaseUrl` unless it exists. Safe to race with itself. */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'existed'> {
  return withServer(databaseUrl, async (client, database) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return 'existed';
    try {
      await client.query(`CREATE DATABASE "${database}"`);
      return 'created';
    } catch (error) {
      if ((error as { code?: string }).code === duplicateDatabase) return 'existed';
      throw error;
    }
  });
}

/** Drops the database of `databaseUrl`, disconnecting anyone still using it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withServer(databaseUrl, async (client, database) => {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });
}

/** `postgresql://…/<prefix>_<name>` on the server of `serverUrl`. */
export function databaseUrlFor(serverUrl: string, prefix: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${prefix}_${name}`;
  return url.toString();
}
