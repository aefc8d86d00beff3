import { readFile } from 'node:fs/promises';
import {
  isolatedPrefixes,
  type ServiceName,
  type Stack,
  services,
  startStack,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The Grafana dashboard (deploy/grafana/baedal.json) parses, and queries only metrics that
 * the services really expose: each name it selects, and each `__name__` pattern, is checked
 * against what a started stack serves at its `/metrics` endpoints.
 */

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string }[];
}

const dashboard = JSON.parse(
  await readFile(new URL('../grafana/baedal.json', import.meta.url), 'utf8'),
) as { uid: string; title: string; panels: Panel[] };
const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
const queries = graphs.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const serviceNames = Object.keys(services) as ServiceName[];

/** Each service's metric families: name and type, from the `# TYPE` lines of its `/metrics`. */
const exposed = new Map<ServiceName, Map<string, string>>();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('dash'),
    ports: 'any',
    seed: false,
    dropDatabases: true,
    env: { LOG_LEVEL: 'error' },
  });
  for (const name of serviceNames) {
    const url =
      name === 'router' ? stack.metricsUrl : stack.urls[name].replace(/\/graphql$/, '/metrics');
    const text = await (await fetch(url)).text();
    const families = new Map<string, string>();
    for (const [, family, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      families.set(family!, type!);
    }
    exposed.set(name, families);
  }
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

/** Whether some service exposes `name`: a family, or a histogram's bucket, count or sum. */
function isExposed(name: string): boolean {
  const histogram = /^(.+)_(bucket|count|sum)$/.exec(name)?.[1];
  return [...exposed.values()].some(
    (families) => families.has(name) || (histogram && families.get(histogram) === 'histogram'),
  );
}

describe('the Grafana dashboard', () => {
  it('has panels, each querying Prometheus', () => {
    expect(dashboard.uid).toBe('baedal');
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) {
      expect(panel.datasource?.type, panel.title).toBe('prometheus');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('selects only metrics a service exposes', () => {
    const names = queries.flatMap((expr) => [
      ...expr.replace(/__name__=~"[^"]*"/g, '').matchAll(/\bbaedal_[a-z0-9_]+/g),
    ]);
    expect(names.length).toBeGreaterThan(10);
    for (const [name] of names) expect(isExposed(name), name).toBe(true);
  });

  it('matches, with each name pattern, a metric of every service', () => {
    const patterns = queries.flatMap((expr) => [...expr.matchAll(/__name__=~"([^"]*)"/g)]);
    expect(patterns.length).toBeGreaterThan(0);
    for (const [, pattern] of patterns) {
      const anchored = new RegExp(`^(?:${pattern})$`);
      for (const [service, families] of exposed) {
        expect(
          [...families.keys()].some((name) => anchored.test(name)),
          `${pattern} in ${service}`,
        ).toBe(true);
      }
    }
  });

  it('covers the golden signals and the event pipeline', () => {
    const all = queries.join('\n');
    for (const metric of [
      'baedal_graphql_request_duration_seconds_bucket',
      'baedal_graphql_errors_total',
      'baedal_events_outbox_unpublished',
      'baedal_events_consumer_lag',
      'baedal_events_consumer_pending',
      'baedal_events_dead_letters',
    ]) {
      expect(all).toContain(metric);
    }
    expect(all).toContain('histogram_quantile(0.99');
    expect(all).toContain('histogram_quantile(0.5');
  });
});
