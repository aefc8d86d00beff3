import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { addLogFields, logFields, withLogFields } from './log-scope.js';
import { registerTracing } from './sdk.js';
import { contextFrom, inSpan, traceCarrier } from './tracing.js';

/** Keeps its spans when the provider shuts down (the SDK's own one forgets them then). */
class KeptSpans extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('tracing', () => {
  it('carries a trace across a W3C carrier, and links a consumer to its producer', async () => {
    const exporter = new KeptSpans();
    {
      await using _tracing = registerTracing('test', exporter);
      const carrier = await inSpan('produce', { kind: SpanKind.PRODUCER }, async () =>
        traceCarrier(),
      );
      expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await inSpan('serve', { kind: SpanKind.SERVER }, async () => {}, contextFrom(carrier));
      const producer = trace.getSpanContext(contextFrom(carrier));
      await inSpan(
        'consume',
        { kind: SpanKind.CONSUMER, root: true, links: [{ context: producer! }] },
        async () => {},
      );
      await expect(
        inSpan('fail', {}, async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
    }
    const spans = Object.fromEntries(exporter.getFinishedSpans().map((span) => [span.name, span]));
    const traceId = spans.produce!.spanContext().traceId;
    expect(spans.serve!.spanContext().traceId).toBe(traceId);
    expect(spans.serve!.parentSpanContext?.spanId).toBe(spans.produce!.spanContext().spanId);
    expect(spans.consume!.spanContext().traceId).not.toBe(traceId);
    expect(spans.consume!.links.map((link) => link.context.spanId)).toEqual([
      spans.produce!.spanContext().spanId,
    ]);
    expect(spans.fail!.status.code).toBe(2);
  });

  it('carries nothing, and records nothing, when tracing is off', async () => {
    const carrier = await inSpan('off', {}, async () => traceCarrier());
    expect(carrier).toEqual({});
  });
});

describe('log fields', () => {
  it('gives a scope its fields and those added later, without changing the parent scope', async () => {
    expect(logFields()).toBeUndefined();
    await withLogFields({ requestId: 'r-1' }, async () => {
      addLogFields({ role: 'CUSTOMER' });
      await withLogFields({ correlationId: 'order-1' }, async () => {
        await Promise.resolve();
        expect(logFields()).toEqual({
          requestId: 'r-1',
          role: 'CUSTOMER',
          correlationId: 'order-1',
        });
      });
      expect(logFields()).toEqual({ requestId: 'r-1', role: 'CUSTOMER' });
    });
  });
});
