import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Registers OpenTelemetry's Node tracer provider for this process: spans of `service`,
 * batched and sent by `exporter` (default: OTLP over HTTP, configured by the standard
 * `OTEL_EXPORTER_OTLP_*` variables), the W3C Trace Context propagator, and an
 * AsyncLocalStorage context manager. Disposing flushes what is left and unregisters it.
 */
export function registerTracing(
  service: string,
  exporter: SpanExporter = new OTLPTraceExporter(),
): AsyncDisposable {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return {
    async [Symbol.asyncDispose]() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
