import { LRUCache } from 'lru-cache';

/** How much of the live endpoint one person may hold. */
export interface LiveLimitsOptions {
  /** Connections one person holds at most (devices, tabs). */
  readonly maxConnectionsPerPerson: number;
  /** Operations (subscriptions, and queries sent over the socket) one person runs at once. */
  readonly maxSubscriptionsPerPerson: number;
  /** New operations one person may start in a minute. */
  readonly subscriptionsPerMinutePerPerson: number;
}

/**
 * Why an operation was refused: a stable code and a message that names the limit.
 * `FLOODING`: the person went on far past the rate (twice as many attempts in the minute);
 * every connection of theirs is cut rather than answered.
 */
export interface LiveRefusal {
  readonly code: 'TOO_MANY_SUBSCRIPTIONS' | 'RATE_LIMITED' | 'FLOODING';
  readonly message: string;
  /** For `RATE_LIMITED`: when the person may start one again. */
  readonly retryAfterMs?: number;
}

const windowMs = 60_000;

/** A person's attempts in the current one-minute window. */
interface RateWindow {
  readonly startMs: number;
  attempts: number;
}

/** One open connection, as the limits see it. */
export interface PersonConnection {
  /** Its operations under way (the one being admitted included). */
  operations(): number;
  /** Stops reading it and closes it: its person floods the endpoint. */
  cut(reason: string): void;
}

type Connections = Set<PersonConnection>;

/**
 * The live endpoint's limits per person, kept apart from the protocol: a
 * connection registers with a way to count its operations under way (graphql-ws keeps that
 * count itself), so there is nothing to keep in step when an operation ends, however it ends,
 * and a way to cut it. A flood cuts all of the person's connections at once: a client
 * spreading its burst over several sockets would otherwise have each socket read and
 * answered until it too crossed the line.
 * Opening a subscription runs queries through the gateway, so each person's openings also
 * run one at a time (`serially`): one person's burst then delays another person's request
 * by one opening at most.
 *
 * The rate is a fixed one-minute window per person, counted here rather than with
 * rate-limiter-flexible, whose checks answer through promises: `admit` must decide
 * synchronously, so that a flood is cut off within the very batch of messages that carries
 * it, before the next one is handed to the protocol.
 */
export class LiveLimits {
  readonly options: LiveLimitsOptions;
  readonly #people = new Map<string, Connections>();
  readonly #openings = new Map<string, Promise<unknown>>();
  /** Bounded, and forgetting a window when it ends: no timers to dispose. */
  readonly #windows = new LRUCache<string, RateWindow>({ max: 100_000, ttl: windowMs });

  constructor(options: LiveLimitsOptions) {
    this.options = options;
  }

  /**
   * Registers a connection of `person`. Returns the function that unregisters it, or `null`
   * when the person already holds as many connections as allowed.
   */
  connect(person: string, connection: PersonConnection): (() => void) | null {
    const connections: Connections = this.#people.get(person) ?? new Set();
    if (connections.size >= this.options.maxConnectionsPerPerson) return null;
    connections.add(connection);
    this.#people.set(person, connections);
    return () => {
      connections.delete(connection);
      if (connections.size === 0 && this.#people.get(person) === connections) {
        this.#people.delete(person);
      }
    };
  }

  /**
   * Whether `person` may start one more operation: within the rate (each attempt counts),
   * and within the most at once, counting the one asked for. Returns the refusal, or null.
   * A `FLOODING` refusal has cut the person's connections already.
   */
  admit(person: string): LiveRefusal | null {
    const { maxSubscriptionsPerPerson, subscriptionsPerMinutePerPerson: rate } = this.options;
    const now = Date.now();
    let window = this.#windows.get(person);
    if (!window || now - window.startMs >= windowMs) {
      window = { startMs: now, attempts: 0 };
      this.#windows.set(person, window);
    }
    window.attempts += 1;
    if (window.attempts > 2 * rate) {
      const message = `Far more than ${rate} new subscriptions a minute.`;
      for (const connection of [...(this.#people.get(person) ?? [])]) connection.cut(message);
      return { code: 'FLOODING', message };
    }
    if (window.attempts > rate) {
      const retryAfterMs = window.startMs + windowMs - now;
      return {
        code: 'RATE_LIMITED',
        message: `At most ${rate} new subscriptions a minute per person; retry in ${Math.ceil(retryAfterMs / 1000)} s.`,
        retryAfterMs,
      };
    }
    let running = 0;
    for (const connection of this.#people.get(person) ?? []) running += connection.operations();
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
