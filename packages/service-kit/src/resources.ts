/**
 * Things a service opened (servers, pools, connections, loops), disposed in reverse order
 * of opening. Node 24 has `AsyncDisposableStack`; Node 20, which this project also
 * supports, does not, hence this small stand-in.
 */
export class Resources implements AsyncDisposable {
  readonly #disposers: (() => unknown)[] = [];

  /** Registers `resource` (or a plain cleanup function) and returns it. */
  use<T extends AsyncDisposable | (() => unknown)>(resource: T): T {
    this.#disposers.push(
      typeof resource === 'function' ? resource : () => resource[Symbol.asyncDispose](),
    );
    return resource;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const errors: unknown[] = [];
    for (const dispose of this.#disposers.splice(0).reverse()) {
      try {
        await dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'Some resources failed to close.');
  }
}
