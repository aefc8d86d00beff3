export { type GraphQLResponse, routerClient, tokenFor } from './client.js';
export { type LiveClient, liveClient, type Subscribed } from './live-client.js';
export { PreflightError, preflight } from './preflight.js';
export { type ServiceName, ServiceProcess } from './service-process.js';
export { isolatedPrefixes, type Stack, type StackOptions, startStack } from './stack.js';
