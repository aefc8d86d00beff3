/**
 * An async iterator fed by pushes, which graphql-ws reads a subscription's results from.
 * graphql-ws pulls the next result only after the previous one was written to the socket, so
 * results pile up here when a client does not read: past `limit` queued results the client
 * is too slow, `onOverflow` is called (it disconnects the client) and the queue stops taking
 * results. Written by hand because an async generator cannot be stopped (`return()`) while
 * it waits for the next push.
 */
export class LiveQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #done = false;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
    /** Called once when the queue ends, however it ends. */
    private readonly onEnd: () => void,
  ) {}

  push(item: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.#items.length > this.limit) {
      this.#finish();
      this.onOverflow();
    }
  }

  /** Results waiting to be read. */
  get size(): number {
    return this.#items.length;
  }

  /** Whether the queue has ended (it takes no more results). */
  get done(): boolean {
    return this.#done;
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#items.length = 0;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
    this.onEnd();
  }
}
