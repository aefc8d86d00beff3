import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLResponse } from '@baedal/service-kit/testing';
import { tokenFor } from '../client.js';
import { gangnamChicken, type Person, people } from '../journey.js';

/** What the chaos run asks of an order: the whole lifecycle, or to end it early. */
export type Plan = 'deliver' | 'cancel' | 'reject';

/** One order as the app that drove it saw it. */
export interface DrivenOrder {
  readonly index: number;
  readonly plan: Plan;
  readonly customer: Person;
  readonly idempotencyKey: string;
  /** Set once `placeOrder` answered: from then on the order is acknowledged. */
  orderId?: string;
  readonly startedAt: number;
  finishedAt?: number;
  /** `done`: every step of the plan was taken (or found taken); `gave-up`: a step never was. */
  outcome?: 'done' | 'gave-up';
  /** Why the app gave up, or how the order ended another way than planned. */
  note?: string;
  /** Requests that failed (no answer, a server error, a service unavailable) and were sent again. */
  failures: number;
  /** Refusals that showed the step had already been taken (its answer was lost). */
  foundDone: number;
}

export interface CustomerAppOptions {
  /** How long the app keeps retrying one step before it gives the order up. */
  readonly stepTimeoutMs: number;
  /** The pause before a step is sent again. */
  readonly retryPauseMs: number;
  /** How long the app waits for one answer. */
  readonly requestTimeoutMs: number;
}

/**
 * Where each status stands on the way to delivery, across the order's, the ticket's and the
 * delivery's statuses: a refused step whose current status is at or past the step's own has
 * already been taken.
 */
const rank: Record<string, number> = {
  PAYMENT_PENDING: 0,
  PLACED: 1,
  PENDING: 1,
  ACCEPTED: 2,
  COOKING: 3,
  READY: 4,
  READY_FOR_PICKUP: 4,
  AVAILABLE: 4,
  ASSIGNED: 5,
  RIDER_ASSIGNED: 5,
  PICKED_UP: 6,
  DELIVERED: 7,
};
const ended = new Set(['CANCELED', 'REJECTED']);

type Answer<Data> =
  | { readonly kind: 'ok'; readonly data: Data }
  | { readonly kind: 'refused'; readonly code: string; readonly status: string | undefined }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Refusals: the request reached the service that decides, which said no (for now). Any other
 * error (a subgraph the router could not reach, a service unavailable, a conflict) is a
 * failure, and the same request is simply sent again.
 */
const refusalCodes = new Set([
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'PAYMENT_DECLINED',
  'IDEMPOTENCY_KEY_REUSED',
]);

class GaveUp extends Error {}
class EndedOtherwise extends Error {}

/**
 * The apps of the customers, the store's owner and the rider, as a real app behaves when the
 * network or the servers fail: `placeOrder` is sent again with the same idempotency key, a
 * failed step is sent again after a short pause, and a step refused because it was already
 * taken (its answer was lost) counts as taken. Every request goes through the router.
 */
export class CustomerApp {
  readonly #tokens: Record<Person, string>;

  private constructor(
    private readonly routerUrl: string,
    tokens: Record<Person, string>,
    private readonly options: CustomerAppOptions,
  ) {
    this.#tokens = tokens;
  }

  static async start(routerUrl: string, options: CustomerAppOptions): Promise<CustomerApp> {
    const tokens = Object.fromEntries(
      await Promise.all(
        Object.entries(people).map(async ([name, viewer]) => [
          name,
          await tokenFor(viewer, { expiresIn: '1d' }),
        ]),
      ),
    ) as Record<Person, string>;
    const app = new CustomerApp(routerUrl, tokens, options);
    // The rider waits by the store, so that its deliveries are offered to them.
    await app.#step(
      undefined,
      'rider',
      'mutation($l: LocationInput!) { updateRiderLocation(input: { location: $l }) { rider { id } } }',
      { l: gangnamChicken.location },
      () => true,
    );
    return app;
  }

  /** Takes `order` through its plan; never throws: the outcome is recorded on it. */
  async drive(order: DrivenOrder): Promise<void> {
    try {
      await this.#drive(order);
      order.outcome = 'done';
    } catch (error) {
      if (error instanceof EndedOtherwise) {
        order.outcome = 'done';
        order.note = error.message;
      } else {
        order.outcome = 'gave-up';
        order.note = error instanceof Error ? error.message : String(error);
      }
    } finally {
      order.finishedAt = Date.now();
    }
  }

  async #drive(order: DrivenOrder): Promise<void> {
    const placed = await this.#step<
      { placeOrder: { order: { id: string; status: string } } },
      { id: string; status: string }
    >(
      order,
      order.customer,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status } } }`,
      {
        input: {
          storeId: gangnamChicken.id,
          items: [{ menuItemId: gangnamChicken.friedChicken.id, quantity: 1 }],
          deliveryAddress: {
            address: '152 Teheran-ro, Gangnam-gu',
            location: { lat: 37.5006, lng: 127.0364 },
          },
          payment: { cardToken: 'tok_visa' },
          idempotencyKey: order.idempotencyKey,
        },
      },
      (data) => data.placeOrder.order,
    );
    order.orderId = placed.id;
    const orderId = placed.id;

    if (placed.status === 'PAYMENT_PENDING') {
      await this.#until(order, order.customer, 'PLACED', async () =>
        this.#call<{ payOrder: { order: { status: string } } }>(
          order.customer,
          'mutation($input: PayOrderInput!) { payOrder(input: $input) { order { status } } }',
          { input: { orderId, payment: { cardToken: 'tok_visa' } } },
        ).then((answer) => statusOf(answer, (data) => data.payOrder.order.status)),
      );
    }

    if (order.plan === 'cancel') {
      await this.#until(order, order.customer, 'CANCELED', () =>
        this.#call<{ cancelOrder: { order: { status: string } } }>(
          order.customer,
          'mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { order { status } } }',
          { input: { orderId, reason: 'Changed my mind' } },
        ).then((answer) => statusOf(answer, (data) => data.cancelOrder.order.status)),
      );
      return;
    }
    if (order.plan === 'reject') {
      await this.#kitchen(order, 'rejectOrder', 'REJECTED', { reason: 'Out of chicken' });
      return;
    }
    await this.#kitchen(order, 'acceptOrder', 'ACCEPTED');
    await this.#kitchen(order, 'startCooking', 'COOKING');
    await this.#kitchen(order, 'finishCooking', 'READY');
    const deliveryId = await this.#step<{ order: { delivery: { id: string } | null } }>(
      order,
      order.customer,
      'query($id: ID!) { order(id: $id) { delivery { id } } }',
      { id: orderId },
      (data) => data.order.delivery?.id,
    );
    for (const [mutation, status] of [
      ['claimDelivery', 'ASSIGNED'],
      ['pickUpDelivery', 'PICKED_UP'],
    ] as const) {
      await this.#until(order, 'rider', status, () =>
        this.#call<Record<string, { delivery: { status: string } }>>(
          'rider',
          `mutation($input: DeliveryActionInput!) { ${mutation}(input: $input) { delivery { status } } }`,
          { input: { deliveryId } },
        ).then((answer) => statusOf(answer, (data) => data[mutation]!.delivery.status)),
      );
    }
    await this.#until(order, order.customer, 'DELIVERED', () =>
      this.#call<{ confirmDelivery: { order: { status: string } } }>(
        order.customer,
        'mutation($input: ConfirmDeliveryInput!) { confirmDelivery(input: $input) { order { status } } }',
        { input: { orderId } },
      ).then((answer) => statusOf(answer, (data) => data.confirmDelivery.order.status)),
    );
  }

  /** A kitchen step as the store's owner, until the ticket is `status` (or past it). */
  #kitchen(
    order: DrivenOrder,
    mutation: string,
    status: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const input = mutation === 'rejectOrder' ? 'RejectOrderInput' : 'KitchenTicketInput';
    return this.#until(order, 'owner', status, () =>
      this.#call<Record<string, { ticket: { status: string } }>>(
        'owner',
        `mutation($input: ${input}!) { ${mutation}(input: $input) { ticket { status } } }`,
        { input: { orderId: order.orderId, ...extra } },
      ).then((answer) => statusOf(answer, (data) => data[mutation]!.ticket.status)),
    );
  }

  /**
   * Sends a step until what it acts on is `status`: taken now, or found taken already (a
   * refusal naming a status at or past it). A refusal naming an earlier status means the
   * event that allows the step has not arrived yet: sent again after a pause. A refusal
   * naming CANCELED or REJECTED where that was not the plan ends the order's journey.
   */
  async #until(
    order: DrivenOrder,
    person: Person,
    status: string,
    send: () => Promise<Shown>,
  ): Promise<void> {
    const deadline = Date.now() + this.options.stepTimeoutMs;
    for (;;) {
      const answer = await send();
      if (answer.failed) order.failures++;
      const reached = answer.status;
      if (reached !== undefined) {
        if (ended.has(status) ? reached === status : (rank[reached] ?? -1) >= rank[status]!) {
          if (answer.refused) order.foundDone++;
          return;
        }
        if (ended.has(reached)) throw new EndedOtherwise(`ended ${reached} before ${status}`);
      }
      if (Date.now() > deadline) {
        throw new GaveUp(`${person} gave up waiting for ${status} (last: ${reached ?? 'failed'})`);
      }
      await sleep(this.options.retryPauseMs);
    }
  }

  /** Sends a request until it answers data from which `pick` takes a value. */
  async #step<Data, T = unknown>(
    order: DrivenOrder | undefined,
    person: Person,
    query: string,
    variables: Record<string, unknown>,
    pick: (data: Data) => T | undefined,
  ): Promise<T> {
    const deadline = Date.now() + this.options.stepTimeoutMs;
    let last = '';
    for (;;) {
      const answer = await this.#call<Data>(person, query, variables);
      if (answer.kind === 'ok') {
        const value = pick(answer.data);
        if (value !== undefined) return value;
        last = 'not yet';
      } else if (answer.kind === 'failed') {
        if (order) order.failures++;
        last = answer.reason;
      } else {
        last = answer.code;
      }
      if (Date.now() > deadline) throw new GaveUp(`${person} gave up (last: ${last})`);
      await sleep(this.options.retryPauseMs);
    }
  }

  /** One request through the router, classified as an app would. */
  async #call<Data>(
    person: Person,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<Answer<Data>> {
    let body: GraphQLResponse<Data>;
    try {
      const response = await fetch(this.routerUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.#tokens[person]}`,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      body = (await response.json()) as GraphQLResponse<Data>;
    } catch (error) {
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    const error = body.errors?.[0];
    if (!error) return { kind: 'ok', data: body.data as Data };
    const code = String(error.extensions?.code ?? 'UNKNOWN');
    if (!refusalCodes.has(code)) return { kind: 'failed', reason: code };
    const status = error.extensions?.currentStatus;
    return { kind: 'refused', code, status: typeof status === 'string' ? status : undefined };
  }
}

/** What an answer shows: the status in its data, or the one a refusal names. */
interface Shown {
  readonly status?: string;
  readonly refused?: boolean;
  readonly failed?: boolean;
}

function statusOf<Data>(answer: Answer<Data>, pick: (data: Data) => string): Shown {
  if (answer.kind === 'ok') return { status: pick(answer.data) };
  if (answer.kind === 'failed') return { failed: true };
  return { refused: true, ...(answer.status !== undefined && { status: answer.status }) };
}
