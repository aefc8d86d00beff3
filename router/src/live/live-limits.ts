import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** How much of the live endpoint one person may hold. */
export interface LiveLimitsOptions {
  /** Connections one person holds at most (devices, tabs). */
  readonly maxConnectionsPerPerson: number;
  /** Operations (subscriptions, and queries sent over the socket) one person runs at once. */
  readonly maxSubscriptionsPerPerson: number;
  /** New operations one person may start in a minute. */
  readonly subscriptionsPerMinutePerPerson: number;
}

/** Why an operation was refused: a stable code and a message that names the limit. */
export interface LiveRefusal {
  readonly code: 'TOO_MANY_SUBSCRIPTIONS' | 'RATE_LIMITED';
  readonly message: string;
  /** For `RATE_LIMITED`: when the person may start one again. */
  readonly retryAfterMs?: number;
}

/** A person's open connections, each able to count the operations it has under way. */
type Connections = Set<() => number>;

/**
 * The live endpoint's limits per person, kept apart from the protocol: a
 * connection registers with a way to count its operations under way (graphql-ws keeps that
 * count itself), so there is nothing to keep in step when an operation ends, however it ends.
 * Opening a subscription runs queries through the gateway, so each person's openings also
 * run one at a time (`serially`): one person's burst then delays another person's request
 * by one opening at most.
 *
 * The rate is rate-limiter-flexible's in-memory limiter (a fixed one-minute window per
 * person); its timers are unreferenced and end with their window, so there is nothing to
 * dispose.
 */
export class LiveLimits {
  readonly options: LiveLimitsOptions;
  readonly #people = new Map<string, Connections>();
  readonly #openings = new Map<string, Promise<unknown>>();
  readonly #rate: RateLimiterMemory;

  constructor(options: LiveLimitsOptions) {
    this.options = options;
    this.#rate = new RateLimiterMemory({
      points: options.subscriptionsPerMinutePerPerson,
      duration: 60,
    });
  }

  /**
   * Registers a connection of `person`, whose operations under way (the one being admitted
   * included) `operations` counts. Returns the function that unregisters it, or `null` when
   * the person already holds as many connections as allowed.
   */
  connect(person: string, operations: () => number): (() => void) | null {
    const connections: Connections = this.#people.get(person) ?? new Set();
    if (connections.size >= this.options.maxConnectionsPerPerson) return null;
    connections.add(operations);
    this.#people.set(person, connections);
    return () => {
      connections.delete(operations);
      if (connections.size === 0 && this.#people.get(person) === connections) {
        this.#people.delete(person);
      }
    };
  }

  /**
   * Whether `person` may start one more operation: within the rate (each attempt counts),
   * and within the most at once, counting the one asked for. Resolves with the refusal, or
   * null.
   */
  async admit(person: string): Promise<LiveRefusal | null> {
    const { maxSubscriptionsPerPerson, subscriptionsPerMinutePerPerson } = this.options;
    try {
      await this.#rate.consume(person);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return {
        code: 'RATE_LIMITED',
        message: `At most ${subscriptionsPerMinutePerPerson} new subscriptions a minute per person; retry in ${Math.ceil(error.msBeforeNext / 1000)} s.`,
        retryAfterMs: error.msBeforeNext,
      };
    }
    let running = 0;
    for (const operations of this.#people.get(person) ?? []) running += operations();
    if (running > maxSubscriptionsPerPerson) {
      return {
        code: 'TOO_MANY_SUBSCRIPTIONS',
        message: `At most ${maxSubscriptionsPerPerson} subscriptions at once per person.`,
      };
    }
    return null;
  }

  /** Runs `open` after the person's openings started before it have settled. */
  serially<T>(person: string, open: () => Promise<T>): Promise<T> {
    const previous = this.#openings.get(person) ?? Promise.resolve();
    const opening = previous.then(open, open);
    const settled = opening.then(
      () => {},
      () => {},
    );
    this.#openings.set(person, settled);
    // The last opening forgets the person, so the map holds only people opening now.
    void settled.then(() => {
      if (this.#openings.get(person) === settled) this.#openings.delete(person);
    });
    return opening;
  }
}
