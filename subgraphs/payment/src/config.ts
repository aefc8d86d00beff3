import {
  type ConfigOf,
  developmentSecrets,
  flag,
  loadConfig,
  milliseconds,
  publicKeysVariable,
  subgraphVariables,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const variables = {
  ...subgraphVariables('payment'),
  /** Verify the order subgraph's calls to the internal charge endpoint, and nothing else. */
  orderPublicKeys: publicKeysVariable('ORDER_PUBLIC_KEYS', developmentSecrets.orderPublicKey),
  /**
   * How long a call to the card provider may take before its outcome counts as unknown (the
   * attempt then waits for the settle job). Generous: the order subgraph gives up much sooner
   * and tells its customer to wait, but an answer that comes late is still recorded.
   */
  cardProviderTimeoutMs: variable('CARD_PROVIDER_TIMEOUT_MS', milliseconds(20_000)),
  /** How often the settle job looks for charges of unknown outcome and unfinished refunds. */
  settleIntervalMs: variable('SETTLE_INTERVAL_MS', milliseconds(5_000)),
  /**
   * How old a charge of unknown outcome must be before the settle job asks the provider about
   * it: longer than the provider timeout, so that it does not ask about a charge whose request
   * is still waiting for the answer.
   */
  settleAfterMs: variable('SETTLE_AFTER_MS', milliseconds(30_000)),
  /** The share of a captured amount earned as points, in percent (rounded down to a point). */
  pointsEarnPercent: variable(
    'POINTS_EARN_PERCENT',
    z.coerce.number().int().min(0).max(100).default(1),
  ),
  /** The simulated card provider (see `SimulatedCardProvider`): delay of every answer. */
  simulatedCardLatencyMs: variable(
    'SIMULATED_CARD_LATENCY_MS',
    z.coerce.number().int().nonnegative().default(0),
  ),
  /** The simulated card provider: how late the answer to a first charge of `tok_slow` comes. */
  simulatedCardSlowMs: variable('SIMULATED_CARD_SLOW_MS', milliseconds(5_000)),
  /** The simulated card provider: unreachable, every call fails and nothing is charged. */
  simulatedCardOutage: variable('SIMULATED_CARD_OUTAGE', flag(false)),
};

export type PaymentConfig = ConfigOf<typeof variables>;

export const loadPaymentConfig = (env: NodeJS.ProcessEnv = process.env): PaymentConfig =>
  loadConfig(variables, env);
