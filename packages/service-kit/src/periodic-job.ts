import type { Logger } from './logger.js';

export interface PeriodicJobOptions {
  /** For logs. */
  readonly name: string;
  /** How long the job waits between runs, unless woken. */
  readonly intervalMs: number;
  /** One run; a failure is logged and the job runs again at the next interval. */
  readonly run: () => Promise<void>;
  readonly logger: Logger;
}

/**
 * Background work a subgraph does on its own schedule (expiring unpaid orders, settling
 * payments): `run` every `intervalMs`, or at once when woken. Runs never overlap. Disposing
 * waits for the run under way and stops. Written by hand because it is twelve lines around a
 * timer: a scheduler library would bring cron syntax and persistence nobody here needs.
 */
export class PeriodicJob implements AsyncDisposable {
  readonly #options: PeriodicJobOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  #wokenWhileRunning = false;
  #busy = false;

  constructor(options: PeriodicJobOptions) {
    this.#options = options;
  }

  /** Runs the job now, then every interval. */
  start(): void {
    this.wake();
  }

  /** Runs the job as soon as the run under way (if any) ends. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#busy) {
      this.#wokenWhileRunning = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#busy = true;
    this.#running = this.#runOnce();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #runOnce(): Promise<void> {
    const { name, run, logger, intervalMs } = this.#options;
    try {
      await run();
    } catch (error) {
      logger.error({ err: error, job: name }, 'background job failed; will run again');
    }
    this.#busy = false;
    if (this.#stopped) return;
    if (this.#wokenWhileRunning) {
      this.#wokenWhileRunning = false;
      this.wake();
      return;
    }
    this.#timer = setTimeout(() => this.wake(), intervalMs);
  }
}
