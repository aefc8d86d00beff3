import { type ConfigOf, loadConfig, subgraphVariables, variable } from '@baedal/service-kit';
import { z } from 'zod';

const variables = {
  ...subgraphVariables('delivery'),
  /** How far from a store (km, straight line) riders are offered and may claim its deliveries. */
  dispatchRadiusKm: variable('DISPATCH_RADIUS_KM', z.coerce.number().positive().max(50).default(3)),
  /**
   * The longest estimated travel time (whole minutes, see `travelMinutes`) from a rider to the
   * store for an express delivery to be offered to them and claimed by them.
   */
  expressMaxMinutes: variable(
    'EXPRESS_MAX_MINUTES',
    z.coerce.number().int().positive().max(120).default(15),
  ),
};

export type DeliveryConfig = ConfigOf<typeof variables>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig =>
  loadConfig(variables, env);
