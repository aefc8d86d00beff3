import { createServer } from 'node:http';
import { type Logger, listen, type RunningService } from '@baedal/service-kit';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The router's metrics, served in Prometheus' text format (see `startMetricsServer`). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'baedal_router_' });
  const registers = [registry];
  return {
    registry,
    subgraphRequests: new Counter({
      name: 'baedal_router_subgraph_requests_total',
      help: 'Requests the router sent to subgraphs, by subgraph and by what caused them.',
      labelNames: ['subgraph', 'origin'] as const,
      registers,
    }),
    liveConnections: new Gauge({
      name: 'baedal_router_live_connections',
      help: 'Open graphql-ws connections.',
      registers,
    }),
    liveSubscriptions: new Gauge({
      name: 'baedal_router_live_subscriptions',
      help: 'Active subscriptions.',
      registers,
    }),
    liveEvents: new Counter({
      name: 'baedal_router_live_events_total',
      help: 'Events read from the subgraph streams that had at least one subscriber.',
      registers,
    }),
    liveDeliverySeconds: new Histogram({
      name: 'baedal_router_live_delivery_seconds',
      help: "The router's share of a live update: from an event read from its stream to its result handed to a subscriber's socket, per subscriber.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    livePayloadExecutions: new Counter({
      name: 'baedal_router_live_payload_executions_total',
      help: 'Source queries run through the gateway for live payloads (shared by subscribers).',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What a metrics endpoint serves: a registry's text in Prometheus' format, and its type. */
export interface MetricsSource {
  readonly contentType: string;
  collect(): Promise<string>;
}

/**
 * Serves `GET /metrics` on a port of its own (`METRICS_PORT`), apart from the public API, so
 * that operators can scrape it and clients of the API cannot. Anything else is 404; metrics
 * that cannot be collected are 503.
 */
export async function startMetricsServer(
  source: MetricsSource,
  port: number,
  host: string,
  logger: Logger,
): Promise<RunningService> {
  const server = createServer(async (request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    try {
      const text = await source.collect();
      response.writeHead(200, { 'content-type': source.contentType }).end(text);
    } catch (error) {
      // With workers: one that did not report within 5 s (prom-client's limit).
      logger.warn({ err: error }, 'the metrics could not be collected');
      response.writeHead(503).end();
    }
  });
  const bound = await listen(server, port, host);
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/metrics`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
