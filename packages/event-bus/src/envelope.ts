import { randomUUID } from 'node:crypto';
import type { Actor } from '@baedal/domain';
import { type TraceCarrier, traceCarrier } from '@baedal/telemetry';
import { z } from 'zod';

/**
 * Every event travels in this envelope. `version` is the version of the payload's schema
 * for its `type`; a consumer names the versions it understands and dead-letters others.
 */
export interface EventEnvelope<Payload = unknown> {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  /** The subgraph that committed the event. */
  readonly producer: string;
  /** The order the event belongs to (a store's id for events about a store). */
  readonly correlationId: string;
  /** The id of the event whose handling caused this one, if any. */
  readonly causationId: string | null;
  readonly actor: Actor;
  readonly payload: Payload;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the span that caused the event,
   * when tracing was on: a consumer's span links to it. Absent otherwise, and in events
   * written before it existed.
   */
  readonly traceContext?: TraceCarrier;
}

const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  producer: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.uuid().nullable(),
  actor: z.union([
    z.object({
      role: z.enum(['CUSTOMER', 'STORE_OWNER', 'RIDER', 'ADMIN']),
      id: z.string().min(1),
    }),
    z.object({ role: z.literal('SYSTEM'), id: z.null() }),
  ]),
  payload: z.unknown(),
  traceContext: z.record(z.string(), z.string()).optional(),
});

/** Facts about an event that are not part of its payload. */
export interface EventContext {
  readonly actor: Actor;
  readonly occurredAt?: Date;
  readonly causationId?: string | null;
}

export interface EventDefinition<Payload> {
  /** The subgraph that publishes this event (its stream is named after it). */
  readonly producer: string;
  readonly type: string;
  readonly version: number;
  readonly payload: z.ZodType<Payload>;
  /** Builds a complete envelope; the payload is validated so a producer cannot emit garbage. */
  create(payload: Payload, context: EventContext): EventEnvelope<Payload>;
}

export type PayloadOf<D> = D extends EventDefinition<infer P> ? P : never;

/**
 * Declares one version of one event type. `correlate` picks the correlation id (the order
 * id) out of the payload. An event created while a span is active carries its trace context.
 */
export function defineEvent<Payload>(options: {
  producer: string;
  type: string;
  version: number;
  payload: z.ZodType<Payload>;
  correlate: (payload: Payload) => string;
}): EventDefinition<Payload> {
  const { producer, type, version, payload: schema, correlate } = options;
  return {
    producer,
    type,
    version,
    payload: schema,
    create(payload, context) {
      const checked = schema.parse(payload);
      const trace = traceCarrier();
      return {
        id: randomUUID(),
        type,
        version,
        occurredAt: (context.occurredAt ?? new Date()).toISOString(),
        producer,
        correlationId: correlate(checked),
        causationId: context.causationId ?? null,
        actor: context.actor,
        payload: checked,
        ...(trace.traceparent && { traceContext: trace }),
      };
    },
  };
}

/** Parses a raw envelope as it arrives from a stream; throws a descriptive error if malformed. */
export function parseEnvelope(json: string): EventEnvelope {
  const result = envelopeSchema.safeParse(JSON.parse(json));
  if (!result.success)
    throw new Error(`Malformed event envelope: ${z.prettifyError(result.error)}`);
  return result.data as EventEnvelope;
}
