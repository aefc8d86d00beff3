export { placeDemoOrder, routerClient, tokenFor } from './client.js';
export { type LiveClient, liveClient, type Subscribed } from './live-client.js';
export { type ServiceName, ServiceProcess } from './service-process.js';
export { isolatedPrefixes, type Stack, startStack } from './stack.js';
