export { requireOwner, requirePerson, requireRole } from './access.js';
export { type BackgroundJob, PeriodicJob, type PeriodicJobOptions } from './background-job.js';
export { byKey } from './by-key.js';
export {
  type ConfigOf,
  developmentSecrets,
  flag,
  loadConfig,
  milliseconds,
  port,
  privateKeyVariable,
  publicKeysVariable,
  secretVariable,
  serviceVariables,
  subgraphVariables,
  url,
  type Variable,
  variable,
} from './config.js';
export { formatError } from './graphql-errors.js';
export { graphqlHttpHandler, isGraphqlPath, type ParsedRequest } from './graphql-http.js';
export { graphqlTelemetry } from './graphql-telemetry.js';
export { createHttpServer, healthRoutes, listen } from './http-server.js';
export {
  type BreakerOptions,
  InternalClient,
  type InternalClientOptions,
  ServiceUnavailableError,
} from './internal-client.js';
export { jsonRoute, parseJsonBody, verifiedCaller } from './json-route.js';
export { createLogger, type Logger } from './logger.js';
export {
  type NearbyConnection,
  type NearbyEdge,
  type NearbySearch,
  nearbyPage,
  roundKm,
} from './nearby.js';
export {
  afterTimeCursor,
  type Connection,
  type ConnectionArgs,
  decodeSequenceCursor,
  decodeTimeCursor,
  pageSize,
  sequenceCursor,
  timeCursor,
  toConnection,
} from './pagination.js';
export { redisRetryStrategy } from './redis.js';
export { currentRequestId, requestIdHeader, requestScope } from './request-scope.js';
export { Resources } from './resources.js';
export { type ReadyMessage, type RunningService, runService } from './run-service.js';
export { dateTimeScalar } from './scalars.js';
export {
  type SubgraphContext,
  type SubgraphParts,
  startSubgraph,
  statementEvents,
} from './subgraph-runtime.js';
export { buildSubgraph } from './subgraph-schema.js';
export { requireUpdated, transact } from './unit-of-work.js';
export type { UseCase } from './use-case.js';
