import { type ConfigOf, loadConfig, subgraphVariables, variable } from '@baedal/service-kit';
import { z } from 'zod';

const variables = {
  ...subgraphVariables('delivery'),
  /** How far from a store (km, straight line) riders are offered and may claim its deliveries. */
  dispatchRadiusKm: variable('DISPATCH_RADIUS_KM', z.coerce.number().positive().max(50).default(3)),
};

export type DeliveryConfig = ConfigOf<typeof variables>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig =>
  loadConfig(variables, env);
