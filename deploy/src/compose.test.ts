import { readFile } from 'node:fs/promises';
import { type ServiceName, services } from '@baedal/stack';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/*
 * docker-compose.yml runs the image's compiled code, and starts each part once what it
 * needs is healthy. (`docker-compose config` checks the file's syntax; this, what it says.)
 */

interface ComposeService {
  command?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
}

const compose = parse(
  await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'),
  { merge: true },
) as { services: Record<string, ComposeService> };
const serviceNames = Object.keys(services) as ServiceName[];
const subgraphNames = serviceNames.filter((name) => name !== 'router');

describe('docker-compose.yml', () => {
  it.each(serviceNames)('runs %s compiled, on its port', (name) => {
    const service = compose.services[name]!;
    expect(service.command).toEqual(['node', `${services[name].workspace}/dist/main.js`]);
    expect(String(service.environment?.PORT)).toBe(String(services[name].port));
  });

  it.each(serviceNames)('checks that %s is ready', (name) => {
    expect(compose.services[name]!.healthcheck?.test.join(' ')).toContain('/ready');
  });

  it.each(subgraphNames)('starts %s once migrated and Redis is healthy', (name) => {
    expect(compose.services[name]!.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('starts the router once every subgraph is healthy', () => {
    const dependsOn = compose.services.router!.depends_on;
    for (const name of subgraphNames) {
      expect(dependsOn?.[name], name).toEqual({ condition: 'service_healthy' });
    }
  });

  it('migrates with the compiled migration job, once PostgreSQL is healthy', () => {
    const migrate = compose.services.migrate!;
    expect(migrate.command).toEqual(['node', 'prisma/dist/migrate.main.js']);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('serves the playground with its docs, though in production mode', () => {
    expect(compose.services.router!.environment).toMatchObject({ NODE_ENV: 'production' });
    // Compose's own interpolation: true unless PLAYGROUND says otherwise.
    expect(compose.services.router!.environment?.PLAYGROUND).toBe('$' + '{PLAYGROUND:-true}');
  });
});
