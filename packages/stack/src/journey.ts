import { randomUUID } from 'node:crypto';
import type { Role } from '@baedal/domain';
import type { GraphQLResponse } from '@baedal/service-kit/testing';
import { routerClient, tokenFor } from './client.js';

/** The demo people the journeys act as (see `@baedal/demo-data`). */
export const people = {
  customer: { role: 'CUSTOMER', id: 'customer-1' },
  otherCustomer: { role: 'CUSTOMER', id: 'customer-2' },
  owner: { role: 'STORE_OWNER', id: 'owner-1' },
  otherOwner: { role: 'STORE_OWNER', id: 'owner-2' },
  /** On a motorbike, near the Gangnam stores. */
  rider: { role: 'RIDER', id: 'rider-1' },
  /** By car, in Gangnam too. */
  otherRider: { role: 'RIDER', id: 'rider-4' },
  /** On a bicycle, in Hongdae. */
  cyclist: { role: 'RIDER', id: 'rider-2' },
  admin: { role: 'ADMIN', id: 'admin-1' },
} as const satisfies Record<string, { role: Role; id: string }>;
export type Person = keyof typeof people;

/** The store the journeys order from, and where it is. */
export const gangnamChicken = {
  id: 'store-gangnam-chicken',
  location: { lat: 37.4979, lng: 127.0276 },
  friedChicken: { id: 'gangnam-chicken-fried', priceWon: 19000 },
  radish: { id: 'gangnam-chicken-radish', priceWon: 500 },
} as const;

export interface PlaceOptions {
  readonly as?: Person;
  readonly cardToken?: string;
  readonly express?: boolean;
  readonly idempotencyKey?: string;
  readonly items?: readonly { menuItemId: string; quantity: number }[];
}

export interface PlacedOrderResult {
  readonly id: string;
  readonly status: string;
  readonly totalWon: number;
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
}

const placeOrderMutation = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { message order { id status totalWon deliveryFeeWon expressFeeWon } }
}`;

/** The steps after payment, in order, and who takes each. */
const steps = [
  ['ACCEPTED', 'kitchen', 'acceptOrder'],
  ['COOKING', 'kitchen', 'startCooking'],
  ['READY_FOR_PICKUP', 'kitchen', 'finishCooking'],
  ['RIDER_ASSIGNED', 'delivery', 'claimDelivery'],
  ['PICKED_UP', 'delivery', 'pickUpDelivery'],
  ['DELIVERED', 'order', 'confirmDelivery'],
] as const;
export type Step = (typeof steps)[number][0];

/**
 * Drives orders through the router as the demo people do, for end-to-end tests, benchmarks
 * and the chaos run: every call is a real GraphQL request with a real bearer token. Steps
 * that depend on an event having reached another subgraph (the kitchen has the ticket, the
 * delivery is offered) are retried until they are accepted or `timeoutMs` passes.
 */
export class Journey {
  readonly gql: ReturnType<typeof routerClient>;
  readonly #tokens: Record<Person, string>;
  /** How far `advance` took each order: the index of its next step. */
  readonly #progress = new Map<string, number>();
  readonly timeoutMs: number;

  private constructor(routerUrl: string, tokens: Record<Person, string>, timeoutMs: number) {
    this.gql = routerClient(routerUrl);
    this.#tokens = tokens;
    this.timeoutMs = timeoutMs;
  }

  static async start(routerUrl: string, { timeoutMs = 30_000 } = {}): Promise<Journey> {
    const tokens = Object.fromEntries(
      await Promise.all(
        Object.entries(people).map(async ([name, viewer]) => [name, await tokenFor(viewer)]),
      ),
    ) as Record<Person, string>;
    const journey = new Journey(routerUrl, tokens, timeoutMs);
    // The rider waits by the store, so that they are offered its deliveries.
    await journey.must(
      'rider',
      'mutation($l: LocationInput!) { updateRiderLocation(input: { location: $l }) { rider { id } } }',
      { l: gangnamChicken.location },
    );
    return journey;
  }

  token(person: Person): string {
    return this.#tokens[person];
  }

  /** A GraphQL request as `person`. */
  as<Data = Record<string, never>>(
    person: Person | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<Data> & { status: number }> {
    return this.gql<Data>(person ? this.#tokens[person] : null, query, variables);
  }

  /** `placeOrder` of fried chicken at the Gangnam store, delivered near it; the raw answer. */
  placeOrder(options: PlaceOptions = {}) {
    return this.as<{ placeOrder: { message: string | null; order: PlacedOrderResult } }>(
      options.as ?? 'customer',
      placeOrderMutation,
      {
        input: {
          storeId: gangnamChicken.id,
          items: options.items ?? [{ menuItemId: gangnamChicken.friedChicken.id, quantity: 1 }],
          deliveryAddress: {
            address: '152 Teheran-ro, Gangnam-gu',
            location: { lat: 37.5006, lng: 127.0364 },
          },
          payment: { cardToken: options.cardToken ?? 'tok_visa' },
          ...(options.express !== undefined && { express: options.express }),
          idempotencyKey: options.idempotencyKey ?? randomUUID(),
        },
      },
    );
  }

  /** Places an order that must be paid at once; resolves with it. */
  async placed(options: PlaceOptions = {}): Promise<PlacedOrderResult> {
    const response = await this.placeOrder(options);
    if (response.errors) throw new Error(`placeOrder failed: ${JSON.stringify(response.errors)}`);
    const { order } = response.data!.placeOrder;
    if (order.status !== 'PLACED') throw new Error(`The order is ${order.status}, not PLACED.`);
    return order;
  }

  /** A kitchen step (`acceptOrder`, `rejectOrder` ...) as the owner, once; the raw answer. */
  kitchen(
    mutation: string,
    orderId: string,
    extra: Record<string, unknown> = {},
    who: Person = 'owner',
  ) {
    return this.as<Record<string, { ticket: { status: string } }>>(
      who,
      `mutation($input: ${inputType(mutation)}!) { ${mutation}(input: $input) { ticket { status } } }`,
      { input: { orderId, ...extra } },
    );
  }

  /** A delivery step as the rider, once; the raw answer. */
  delivery(
    mutation: string,
    deliveryId: string,
    extra: Record<string, unknown> = {},
    who: Person = 'rider',
  ) {
    return this.as<Record<string, { delivery: { status: string } }>>(
      who,
      `mutation($input: ${inputType(mutation)}!) { ${mutation}(input: $input) { delivery { status } } }`,
      { input: { deliveryId, ...extra } },
    );
  }

  /** The order's delivery id, once the delivery subgraph has offered it. */
  deliveryOf(orderId: string): Promise<string> {
    return this.waitFor(async () => {
      const { data } = await this.as<{ order: { delivery: { id: string } | null } }>(
        'customer',
        'query($id: ID!) { order(id: $id) { delivery { id } } }',
        { id: orderId },
      );
      return data?.order.delivery?.id;
    }, `the delivery of ${orderId}`);
  }

  /**
   * Takes a paid order through the lifecycle up to `to`, from where this journey last left it
   * (just paid, the first time): the owner accepts, cooks and finishes, the rider claims and
   * picks up, the customer confirms.
   */
  async advance(orderId: string, to: Step): Promise<void> {
    const target = steps.findIndex(([status]) => status === to);
    let deliveryId: string | undefined;
    for (let next = this.#progress.get(orderId) ?? 0; next <= target; next++) {
      const [, subgraph, mutation] = steps[next]!;
      if (subgraph === 'kitchen') {
        await this.must('owner', kitchenMutation(mutation), { input: { orderId } });
      } else if (subgraph === 'delivery') {
        deliveryId ??= await this.deliveryOf(orderId);
        await this.must('rider', deliveryMutation(mutation), { input: { deliveryId } });
      } else {
        await this.must('customer', confirmMutation, { input: { orderId } });
      }
      this.#progress.set(orderId, next + 1);
    }
  }

  /** The order's status in the customer's read model. */
  async statusOf(orderId: string, who: Person = 'customer'): Promise<string> {
    const { data, errors } = await this.as<{ order: { status: string } | null }>(
      who,
      'query($id: ID!) { order(id: $id) { status } }',
      { id: orderId },
    );
    if (errors || !data?.order)
      throw new Error(`Cannot read order ${orderId}: ${JSON.stringify(errors)}`);
    return data.order.status;
  }

  /** Waits until the customer's read model shows `status`. */
  async waitForStatus(orderId: string, status: string): Promise<void> {
    await this.waitFor(
      async () => (await this.statusOf(orderId)) === status || undefined,
      `order ${orderId} to be ${status}`,
    );
  }

  /** Sends an operation until it succeeds (until the event that allows it has arrived). */
  async must(person: Person, query: string, variables: Record<string, unknown> = {}) {
    let last: unknown;
    return this.waitFor(
      async () => {
        const response = await this.as(person, query, variables);
        last = response.errors;
        return response.errors ? undefined : response;
      },
      () => `${query} to succeed (last errors: ${JSON.stringify(last)})`,
    );
  }

  /** Checks every 50 ms until `check` answers a value other than undefined. */
  async waitFor<T>(check: () => Promise<T | undefined>, what: string | (() => string)): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const inputType = (mutation: string): string =>
  ({
    rejectOrder: 'RejectOrderInput',
    reportAccident: 'ReportAccidentInput',
    claimDelivery: 'DeliveryActionInput',
    pickUpDelivery: 'DeliveryActionInput',
  })[mutation] ?? 'KitchenTicketInput';

const kitchenMutation = (mutation: string) =>
  `mutation($input: KitchenTicketInput!) { ${mutation}(input: $input) { ticket { status } } }`;
const deliveryMutation = (mutation: string) =>
  `mutation($input: DeliveryActionInput!) { ${mutation}(input: $input) { delivery { status } } }`;
const confirmMutation =
  'mutation($input: ConfirmDeliveryInput!) { confirmDelivery(input: $input) { order { status } } }';
