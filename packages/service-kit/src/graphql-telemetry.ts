import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { addLogFields } from '@baedal/telemetry';
import { trace } from '@opentelemetry/api';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Operation names kept as label values; past that, `other` (names are chosen by clients). */
const maxOperationNames = 200;

/**
 * An Apollo plugin that tells what each GraphQL operation was and how it went:
 *
 * - its name and type name the request's span (`mutation PlaceOrder`), and its name joins
 *   the request's log fields (`operation`);
 * - `baedal_graphql_request_duration_seconds{operation, outcome}` times it, from receipt to
 *   answer (`outcome`: `ok`, or `error` when the answer has errors);
 * - `baedal_graphql_errors_total{operation, code}` counts its errors by `extensions.code`,
 *   as the client gets them.
 *
 * Operation names are clients' choice: the first 200 distinct ones are kept as labels and
 * the rest counted as `other`, so that a client cannot grow the metrics without bound. An
 * operation without a name is `anonymous`.
 */
export function graphqlTelemetry<Context extends BaseContext>(
  registry: Registry,
): ApolloServerPlugin<Context> {
  const registers = [registry];
  const duration = new Histogram({
    name: 'baedal_graphql_request_duration_seconds',
    help: 'GraphQL operations served, from receipt to answer, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const errors = new Counter({
    name: 'baedal_graphql_errors_total',
    help: 'Errors in GraphQL answers, by operation and extensions.code.',
    labelNames: ['operation', 'code'] as const,
    registers,
  });
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= maxOperationNames) return 'other';
    known.add(name);
    return name;
  };

  return {
    async requestDidStart({ request }) {
      const stopTimer = duration.startTimer();
      let operation: string | null | undefined = request.operationName;
      return {
        async didResolveOperation({ operationName, operation: document }) {
          operation = operationName;
          addLogFields({ operation: operationName ?? 'anonymous' });
          const type = document?.operation ?? 'query';
          const span = trace.getActiveSpan();
          span?.updateName(`${type} ${operationName ?? 'anonymous'}`);
          span?.setAttributes({
            'graphql.operation.type': type,
            ...(operationName && { 'graphql.operation.name': operationName }),
          });
        },
        async willSendResponse({ response }) {
          const name = label(operation);
          const failed = response.body.kind === 'single' ? response.body.singleResult.errors : [];
          for (const error of failed ?? []) {
            const code = error.extensions?.code;
            errors.inc({ operation: name, code: typeof code === 'string' ? code : 'UNKNOWN' });
          }
          stopTimer({ operation: name, outcome: failed?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}
