import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The router's metrics, served in Prometheus' text format at `GET /metrics`. */
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
    livePayloadExecutions: new Counter({
      name: 'baedal_router_live_payload_executions_total',
      help: 'Source queries run through the gateway for live payloads (shared by subscribers).',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
