import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * The tracer every service's own spans come from. Until `startTracing` registers the SDK it
 * is OpenTelemetry's no-op tracer: spans cost a function call and record nothing.
 */
export const tracer = trace.getTracer('baedal');

/**
 * A trace context as W3C Trace Context fields (`traceparent`, and `tracestate` if any), the
 * form it takes in HTTP headers and in event envelopes.
 */
export type TraceCarrier = Record<string, string>;

/** The active (or given) trace context as W3C fields; empty when tracing is off. */
export function traceCarrier(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier;
}

/**
 * The trace context that W3C fields carry (HTTP headers, an event's `traceContext`), as a
 * parent for new spans; an empty context when they carry none or tracing is off.
 */
export function contextFrom(
  carrier: Readonly<Record<string, string | string[] | undefined>> | undefined,
): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/**
 * Runs `work` in a new span, active inside it (children and `traceCarrier` see it), under
 * `parent` (default: the active context). A throw marks the span failed and is rethrown;
 * the span ends when `work` settles.
 */
export async function inSpan<R>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<R>,
  parent: Context = context.active(),
): Promise<R> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed, with the error as an exception event. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span?.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/**
 * Starts exporting traces over OTLP/HTTP when `endpoint` (`OTEL_EXPORTER_OTLP_ENDPOINT`) is
 * set, with `service` as the service name; otherwise does nothing and loads nothing, so that
 * tracing costs nothing when off. Disposing flushes the spans not yet exported.
 */
export async function startTracing(
  service: string,
  endpoint: string | undefined,
): Promise<AsyncDisposable | undefined> {
  if (!endpoint) return undefined;
  const { registerTracing } = await import('./sdk.js');
  return registerTracing(service);
}
