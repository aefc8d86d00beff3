import { type ConfigOf, loadConfig, subgraphVariables } from '@baedal/service-kit';

const variables = subgraphVariables('payment');

export type PaymentConfig = ConfigOf<typeof variables>;

export const loadPaymentConfig = (env: NodeJS.ProcessEnv = process.env): PaymentConfig =>
  loadConfig(variables, env);
