export { Balancer, type BalancerOptions } from './balancer.js';
export {
  type ChaosOptions,
  type ChaosReport,
  type Fault,
  type FaultRow,
  faults,
  formatChaosReport,
  runChaos,
} from './chaos/chaos.js';
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
export { checkPorts, PreflightError, preflight } from './preflight.js';
export { type ResetOptions, resetStack } from './reset.js';
export { type ServiceName, ServiceProcess, services } from './service-process.js';
export { isolatedPrefixes, patientCalls, type Stack, startStack } from './stack.js';
