/*
 * What the kitchen's integration tests share: a kitchen on its own database and Redis
 * prefix, and the other subgraphs' parts played by hand (their events published straight
 * to their streams, the order subgraph's cancel requests).
 */
import { randomUUID } from 'node:crypto';
import {
  orderCanceled,
  orderDelivered,
  orderPlaced,
  type TicketCancellationRequest,
  ticketCancellationsPath,
} from '@baedal/contracts';
import type { Actor } from '@baedal/domain';
import { type EventEnvelope, publishEvent } from '@baedal/event-bus';
import { identityHeader, type Viewer } from '@baedal/identity';
import {
  assertionsAs,
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import { expect } from 'vitest';
import { loadKitchenConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import type { TicketStatus } from './generated/prisma/client.js';
import { start } from './server.js';

export const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
export const otherOwner = { id: 'owner-2', role: 'STORE_OWNER' } as const;
export const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
export const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
export const admin = { id: 'admin-1', role: 'ADMIN' } as const;
export const rider = { id: 'rider-1', role: 'RIDER' } as const;

/** The demo store the tests order from (owned by `owner`), and its item they order. */
export const storeId = 'store-gangnam-chicken';
export const friedChicken = 'gangnam-chicken-fried';

export type Kitchen = SubgraphUnderTest<Db>;

/** A kitchen with the demo stores, on a fresh database; `env` adds to its environment. */
export function startKitchen(env: NodeJS.ProcessEnv = {}): Promise<Kitchen> {
  return startSubgraphForTest(
    'kitchen',
    (testEnv) => start(loadKitchenConfig({ ...testEnv, SEED_DEMO_DATA: 'true', ...env })),
    connectDatabase,
  );
}

/** Publishes another subgraph's event to its stream, as that subgraph's relay would. */
export function publish(kitchen: Kitchen, event: EventEnvelope): Promise<string> {
  return publishEvent(kitchen.redis, kitchen.prefix, event);
}

/** Resolves once the kitchen has applied `event` (whether or not it changed anything). */
export function applied(kitchen: Kitchen, event: EventEnvelope): Promise<void> {
  return eventually(async () =>
    expect(await kitchen.db.processedEvent.count({ where: { eventId: event.id } })).toBe(1),
  );
}

/** The order subgraph's `order.placed`: a paid order of two fried chickens from `storeId`. */
export function orderPlacedEvent(orderId: string, customerId: string = customer.id) {
  return orderPlaced.create(
    {
      orderId,
      customerId,
      storeId,
      items: [
        { menuItemId: friedChicken, name: 'Fried chicken', quantity: 2, unitPriceWon: 19000 },
      ],
      express: false,
      subtotalWon: 38000,
      deliveryFeeWon: 3000,
      expressFeeWon: 0,
      totalWon: 41000,
      deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
    },
    { actor: { role: 'CUSTOMER', id: customerId } },
  );
}

export function orderCanceledEvent(
  orderId: string,
  change: { status?: 'REJECTED' | 'CANCELED'; reason?: string | null; actor?: Actor } = {},
) {
  return orderCanceled.create(
    {
      orderId,
      customerId: customer.id,
      storeId,
      status: change.status ?? 'CANCELED',
      reason: change.reason === undefined ? 'The food was damaged.' : change.reason,
    },
    { actor: change.actor ?? rider },
  );
}

export function orderDeliveredEvent(orderId: string) {
  return orderDelivered.create({ orderId, customerId: customer.id }, { actor: customer });
}

/** Plays the order subgraph: a paid order arrives; resolves with its id once it has a ticket. */
export async function placeOrder(kitchen: Kitchen, customerId: string = customer.id) {
  const orderId = randomUUID();
  await publish(kitchen, orderPlacedEvent(orderId, customerId));
  await eventually(async () =>
    expect(await kitchen.db.kitchenTicket.count({ where: { orderId } })).toBe(1),
  );
  return orderId;
}

/** Runs one of the store owner's ticket mutations (`acceptOrder`, `startCooking` ...). */
export function act(kitchen: Kitchen, mutation: string, viewer: Viewer | null, orderId: string) {
  return kitchen.call<Record<string, { ticket: { status: string } }>>(
    viewer,
    `mutation($orderId: ID!) { ${mutation}(input: { orderId: $orderId }) { ticket { status } } }`,
    { orderId },
  );
}

/** The owner's steps that lead from PENDING to each status. */
const stepsTo: Partial<Record<TicketStatus, readonly string[]>> = {
  ACCEPTED: ['acceptOrder'],
  COOKING: ['acceptOrder', 'startCooking'],
  READY: ['acceptOrder', 'startCooking', 'finishCooking'],
  REJECTED: ['rejectOrder'],
};

/**
 * A new order whose ticket is in `status`, reached the way it would be: the owner's
 * mutations, the order subgraph's `order.delivered`, or the customer's cancel.
 */
export async function orderIn(kitchen: Kitchen, status: TicketStatus): Promise<string> {
  const orderId = await placeOrder(kitchen);
  if (status === 'DELIVERED') {
    await ownerSteps(kitchen, orderId, stepsTo.READY!);
    await publish(kitchen, orderDeliveredEvent(orderId));
    await eventually(async () => expect((await ticketRow(kitchen, orderId)).status).toBe(status));
  } else if (status === 'CANCELED') {
    expect((await requestCancel(kitchen, cancellation(orderId))).status).toBe(200);
  } else {
    await ownerSteps(kitchen, orderId, stepsTo[status] ?? []);
  }
  expect((await ticketRow(kitchen, orderId)).status).toBe(status);
  return orderId;
}

async function ownerSteps(kitchen: Kitchen, orderId: string, steps: readonly string[]) {
  for (const mutation of steps) {
    expect((await act(kitchen, mutation, owner, orderId)).errors).toBeUndefined();
  }
}

export const ticketRow = (kitchen: Kitchen, orderId: string) =>
  kitchen.db.kitchenTicket.findUniqueOrThrow({ where: { orderId } });

export const cookedCount = async (kitchen: Kitchen, menuItemId: string = friedChicken) =>
  (await kitchen.db.menuItem.findUniqueOrThrow({ where: { id: menuItemId } })).cookedCount;

/**
 * The events the kitchen committed about `orderId`, in order: what its outbox holds, which
 * is what its relay publishes.
 */
export async function announced(kitchen: Kitchen, orderId: string): Promise<EventEnvelope[]> {
  const rows = await kitchen.db.outboxEvent.findMany({ orderBy: { position: 'asc' } });
  return rows
    .map((row) => row.envelope as unknown as EventEnvelope)
    .filter((event) => event.correlationId === orderId);
}

const orderService = assertionsAs('order', 'kitchen');

/** The order subgraph's identity assertion, on behalf of `viewer`. */
export const orderAssertion = (viewer: Viewer = customer) => orderService.assert(viewer);

/** The order subgraph's cancel request for `orderId`, on behalf of its customer. */
export function cancellation(
  orderId: string,
  change: Partial<TicketCancellationRequest> = {},
): TicketCancellationRequest {
  return { orderId, storeId, customerId: customer.id, reason: 'Ordered by mistake.', ...change };
}

export interface CancelReply {
  readonly status: number;
  readonly body: {
    status?: string;
    error?: { code: string; message: string; field?: string; currentStatus?: string };
  };
}

/**
 * Plays the order subgraph asking the kitchen to cancel. `assertion` is the identity header
 * (by default the order service's, on behalf of the customer; `null` sends none).
 */
export async function requestCancel(
  kitchen: Kitchen,
  body: unknown,
  assertion: string | Promise<string> | null = orderAssertion(),
): Promise<CancelReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (assertion) headers[identityHeader] = await assertion;
  const response = await fetch(kitchen.url.replace(/\/graphql$/, ticketCancellationsPath), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as CancelReply['body'] };
}
