import { type ConfigOf, loadConfig, subgraphVariables } from '@baedal/service-kit';

const variables = subgraphVariables('kitchen');

export type KitchenConfig = ConfigOf<typeof variables>;

export const loadKitchenConfig = (env: NodeJS.ProcessEnv = process.env): KitchenConfig =>
  loadConfig(variables, env);
