export { requirePerson, requireRole } from './access.js';
export { byKey } from './by-key.js';
export {
  ConfigError,
  type ConfigOf,
  developmentSecrets,
  flag,
  loadConfig,
  milliseconds,
  port,
  secret,
  subgraphVariables,
  url,
  type Variable,
  variable,
} from './config.js';
export { formatError } from './graphql-errors.js';
export { createHttpServer, healthRoutes, listen } from './http-server.js';
export { bodyParserErrors, jsonRoute } from './json-route.js';
export { createLogger, type Logger } from './logger.js';
export {
  type NearbyConnection,
  type NearbyEdge,
  type NearbySearch,
  nearbyPage,
  roundKm,
} from './nearby.js';
export {
  type Connection,
  type ConnectionArgs,
  decodeCursor,
  decodeSequenceCursor,
  decodeTimeCursor,
  encodeCursor,
  pageSize,
  sequenceCursor,
  type TimeCursor,
  timeCursor,
  toConnection,
} from './pagination.js';
export { Resources } from './resources.js';
export { retryOnConflict } from './retry.js';
export { type ReadyMessage, type RunningService, runService } from './run-service.js';
export { dateTimeScalar } from './scalars.js';
export {
  type Database,
  type SubgraphConfig,
  type SubgraphDependencies,
  type SubgraphParts,
  startSubgraph,
} from './subgraph-runtime.js';
export { buildSubgraph, type Resolvers } from './subgraph-schema.js';
export { type SubgraphServerOptions, startSubgraphServer } from './subgraph-server.js';
