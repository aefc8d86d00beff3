export { placeDemoOrder, routerClient, tokenFor } from './client.js';
export {
  gangnamChicken,
  Journey,
  type Person,
  type PlacedOrderResult,
  type PlaceOptions,
  people,
  type Step,
} from './journey.js';
export { type LiveClient, liveClient, type Subscribed } from './live-client.js';
export { type ServiceName, ServiceProcess } from './service-process.js';
export { isolatedPrefixes, patientCalls, type Stack, startStack } from './stack.js';
