import { type ConfigOf, loadConfig, subgraphVariables } from '@baedal/service-kit';

const variables = subgraphVariables('kitchen', 4003);

export type KitchenConfig = ConfigOf<typeof variables>;

export const loadKitchenConfig = (env: NodeJS.ProcessEnv = process.env): KitchenConfig =>
  loadConfig(variables, env);
