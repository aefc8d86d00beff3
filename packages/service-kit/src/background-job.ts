import type { Logger } from './logger.js';

/**
 * Work a service runs beside its requests and events for as long as it runs (settling card
 * charges, expiring unpaid orders). `startSubgraph` starts it once the database, Redis and
 * the event consumer are up, and disposes it before them.
 */
export interface BackgroundJob extends AsyncDisposable {
  start(): void;
}

export interface PeriodicJobOptions {
  /** Names the job in logs. */
  readonly name: string;
  /** Time between the end of one round and the start of the next, unless woken sooner. */
  readonly intervalMs: number;
  /**
   * One round of the work. `signal` aborts when the job is disposed: pass it to anything that
   * may wait long (a call to another service), so that shutdown does not wait for it.
   */
  readonly round: (signal: AbortSignal) => Promise<void>;
  readonly logger: Logger;
}

/**
 * Runs a round at start, then again `intervalMs` after each round ends, or as soon as the
 * round under way ends when `wake` is called; never two rounds at once. A round that fails
 * is logged and the next one runs on schedule. Disposing aborts the round's signal and waits
 * for the round to end.
 */
export class PeriodicJob implements BackgroundJob {
  readonly #options: PeriodicJobOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #woken = false;
  #wakeUp: (() => void) | undefined;

  constructor(options: PeriodicJobOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Asks for a round now instead of at the next interval (after the current one, if any). */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    this.#wakeUp?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const { name, round, logger } = this.#options;
    const { signal } = this.#stop;
    while (!signal.aborted) {
      this.#woken = false;
      try {
        await round(signal);
      } catch (error) {
        if (!signal.aborted) logger.error({ err: error, job: name }, 'background job failed');
      }
      await this.#sleep();
    }
  }

  #sleep(): Promise<void> {
    if (this.#woken || this.#stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wakeUp?.(), this.#options.intervalMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
    });
  }
}
