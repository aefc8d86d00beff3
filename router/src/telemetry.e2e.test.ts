import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@baedal/service-kit/testing';
import {
  gangnamChicken,
  isolatedPrefixes,
  Journey,
  patientCalls,
  type ServiceName,
  type Stack,
  startStack,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Traces, logs and metrics an operator can use (issue 10, points 3 and 4): one placeOrder is
 * one trace across the router, order and payment, and the kitchen's handling of its
 * `order.placed` links to it; its log lines carry its request id, operation and role, the
 * kitchen's its correlation id; every service counts it. The stack exports its spans with
 * the real OTLP/HTTP exporter to a collector stub in this process.
 */

/** A span as OTLP/JSON carries it, with the name of the service that recorded it. */
interface ExportedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly links?: readonly { traceId: string; spanId: string }[];
  readonly attributes?: readonly { key: string; value: { stringValue?: string } }[];
}

interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: Omit<ExportedSpan, 'service'>[] }[];
  }[];
}

/** Receives OTLP/HTTP JSON exports as an OpenTelemetry collector would, and keeps the spans. */
async function startCollector(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'POST' && request.url === '/v1/traces') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = resource.attributes.find((a) => a.key === 'service.name')?.value
          .stringValue as string;
        for (const scope of scopeSpans)
          for (const span of scope.spans) spans.push({ service, ...span });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

let collector: Awaited<ReturnType<typeof startCollector>>;
let stack: Stack;
let journey: Journey;

beforeAll(async () => {
  collector = await startCollector();
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: {
      ...patientCalls,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      // Export within a moment of a span's end instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'debug',
    },
  });
  journey = await Journey.start(stack.routerUrl, { timeoutMs: 90_000 });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  collector?.server.close();
});

const placeOrderMutation = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } }
}`;

/** Places an order as the customer, with a request id of the client's choosing. */
async function placeOrder(requestId: string, cardToken = 'tok_visa') {
  const response = await fetch(stack.routerUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${journey.token('customer')}`,
      'x-request-id': requestId,
    },
    body: JSON.stringify({
      query: placeOrderMutation,
      variables: {
        input: {
          storeId: gangnamChicken.id,
          items: [{ menuItemId: gangnamChicken.friedChicken.id, quantity: 1 }],
          deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
          payment: { cardToken },
          idempotencyKey: randomUUID(),
        },
      },
    }),
  });
  const body = (await response.json()) as {
    data?: { placeOrder: { order: { id: string; status: string } } };
    errors?: { extensions: { code: string } }[];
  };
  return { requestId: response.headers.get('x-request-id'), body };
}

/** The JSON log lines a service wrote. */
function logLines(service: ServiceName): Record<string, unknown>[] {
  return stack.services[service]
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const attribute = (span: ExportedSpan, key: string) =>
  span.attributes?.find((a) => a.key === key)?.value.stringValue;

/** The trace and every trace that links to one of them, transitively. */
function linkedTraces(traceId: string): Set<string> {
  const traces = new Set([traceId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const span of collector.spans) {
      if (!traces.has(span.traceId) && span.links?.some((link) => traces.has(link.traceId))) {
        traces.add(span.traceId);
        grew = true;
      }
    }
  }
  return traces;
}

const serverKind = 2;
const consumerKind = 5;

describe('one placeOrder', () => {
  let requestId: string;
  let orderId: string;

  beforeAll(async () => {
    requestId = `test-${randomUUID()}`;
    const placed = await placeOrder(requestId);
    expect(placed.body.errors).toBeUndefined();
    expect(placed.requestId).toBe(requestId);
    orderId = placed.body.data!.placeOrder.order.id;
  });

  it('is one trace across the router, order and payment; the kitchen links its handling of order.placed to it', async () => {
    await eventually(() => {
      const root = collector.spans.find(
        (span) => span.service === 'router' && span.name === 'mutation PlaceOrder',
      );
      expect(root).toBeDefined();
      const trace = collector.spans.filter((span) => span.traceId === root!.traceId);
      const byId = new Map(trace.map((span) => [span.spanId, span]));
      // Every span of the trace descends from the router's, through spans of the trace.
      for (const span of trace) {
        let ancestor = span;
        while (ancestor.parentSpanId) ancestor = byId.get(ancestor.parentSpanId)!;
        expect(ancestor).toBe(root);
      }
      const served = (service: string) =>
        trace.filter((span) => span.service === service && span.kind === serverKind);
      expect(served('order').map((span) => span.name)).toContain('mutation PlaceOrder__order__0');
      expect(served('payment').map((span) => span.name)).toContain('POST /internal/charges');

      // The kitchen's handling of this order's order.placed: a trace of its own, linked to the
      // order's span that placed it (or, when payment.captured reached the order before the
      // charge's answer, to the order's handling of that event, itself linked to payment's
      // span in this trace).
      const kitchen = collector.spans.find(
        (span) =>
          span.service === 'kitchen' &&
          span.kind === consumerKind &&
          span.name === 'process order.placed' &&
          attribute(span, 'baedal.correlation_id') === orderId,
      );
      expect(kitchen).toBeDefined();
      expect(kitchen!.traceId).not.toBe(root!.traceId);
      const producer = collector.spans.find((span) => span.spanId === kitchen!.links?.[0]?.spanId);
      expect(producer?.service).toBe('order');
      expect(linkedTraces(root!.traceId)).toContain(kitchen!.traceId);
    }, 60_000);
  });

  it('carries its request id, operation and role in every log line of the request, and its order id in the kitchen event log', async () => {
    await eventually(() => {
      const operations = {
        router: 'PlaceOrder',
        order: 'PlaceOrder__order__0',
        payment: 'POST /internal/charges',
      } as const;
      for (const [service, operation] of Object.entries(operations)) {
        const lines = logLines(service as ServiceName).filter(
          (line) => line.requestId === requestId,
        );
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(line).toMatchObject({ role: 'CUSTOMER', operation });
      }
      expect(logLines('kitchen')).toContainEqual(
        expect.objectContaining({
          msg: 'event applied',
          type: 'order.placed',
          correlationId: orderId,
        }),
      );
    }, 60_000);
  });
});

describe('metrics', () => {
  it('times each operation by outcome and counts errors by code, in the router and the subgraphs', async () => {
    const declined = await placeOrder(`test-${randomUUID()}`, 'tok_declined');
    expect(declined.body.errors?.[0]?.extensions.code).toBe('PAYMENT_DECLINED');
    const router = await (await fetch(stack.metricsUrl)).text();
    expect(router).toMatch(
      /^baedal_graphql_request_duration_seconds_count\{operation="PlaceOrder",outcome="ok"\} [1-9]/m,
    );
    expect(router).toMatch(
      /^baedal_graphql_errors_total\{operation="PlaceOrder",code="PAYMENT_DECLINED"\} [1-9]/m,
    );
    const order = await (await fetch(stack.urls.order.replace(/\/graphql$/, '/metrics'))).text();
    expect(order).toMatch(
      /^baedal_graphql_request_duration_seconds_count\{operation="PlaceOrder__order__0",outcome="ok"\} [1-9]/m,
    );
    expect(order).toMatch(/^baedal_events_outbox_unpublished\{/m);
  });
});
