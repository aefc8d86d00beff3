import {
  cookingStarted,
  deliveryOffered,
  orderAccepted,
  orderReadyForPickup,
  orderReceived,
  orderRejected,
  orderStatusChanged,
  ticketCanceled,
} from '@baedal/contracts';
import { assertCoordinates, BadUserInputError, type Coordinates, distanceKm } from '@baedal/domain';
import { decodeSequenceCursor, sequenceCursor } from '@baedal/service-kit';
import { type ExecutionResult, type FieldNode, Kind } from 'graphql';
import { type AnyLiveFeed, defineFeed, type LiveSubscription } from './live-subscription.js';

/** `cursor` under an alias of the router's, so a subscriber need not select it. */
const cursorField: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: '_liveCursor' },
  name: { kind: Kind.NAME, value: 'cursor' },
};

/**
 * `orderStatusChanged`: an order's timeline, in order and without gaps. The subscriber first
 * gets the order as it is now (or, resuming with `after`, every entry it missed); then each
 * `order.status-changed` event, numbered by `seq`, is answered with the entries after the
 * last one delivered. A duplicate is skipped; a gap (an event this router never saw, or a
 * payload that failed) is filled by the next event, which asks for everything after the
 * last entry delivered.
 */
export const orderStatusFeed = defineFeed({
  field: 'orderStatusChanged',
  source: 'orderStatusEvents',
  extraFields: [cursorField],
  events: [orderStatusChanged],
  topic: (args: { orderId: string; after?: string | null }) => `order:${args.orderId}`,
  topicOf: (payload) => `order:${payload.orderId}`,
  async open(subscription) {
    const { orderId, after = null } = subscription.args;
    subscription.state.lastSeq = after === null ? 0 : decodeSequenceCursor(after);
    const result = await subscription.load({ orderId, after });
    // No entries at all: the order is not the viewer's, or does not exist.
    if (subscription.payloadOf(result) == null) throw result.errors;
    deliverEntries(subscription, result);
  },
  async onEvent(subscription, event) {
    const { seq } = event.payload;
    const lastSeq = subscription.state.lastSeq as number;
    if (seq <= lastSeq) return;
    const after = sequenceCursor(lastSeq);
    const result = await subscription.load({ orderId: subscription.args.orderId, after }, event.id);
    if (!subscription.emitErrorsWithoutPayload(result)) deliverEntries(subscription, result);
  },
});

function deliverEntries(
  subscription: LiveSubscription<{ orderId: string }>,
  result: ExecutionResult,
) {
  const entries = subscription.payloadOf(result) as Record<string, unknown>[];
  entries.forEach((payload, index) => {
    const seq = decodeSequenceCursor(payload._liveCursor as string);
    if (seq <= (subscription.state.lastSeq as number)) return;
    subscription.state.lastSeq = seq;
    subscription.emit(payload, result, index);
  });
}

/**
 * `storeOrderChanged`: for a store's owner, the order's kitchen ticket each time the kitchen
 * receives an order or changes its status, rejections and cancellations included. Opening it
 * runs the store's ticket list query as the viewer, so it is refused exactly when that query
 * would be.
 */
export const storeOrdersFeed = defineFeed({
  field: 'storeOrderChanged',
  source: 'kitchenTicket',
  events: [
    orderReceived,
    orderAccepted,
    orderRejected,
    ticketCanceled,
    cookingStarted,
    orderReadyForPickup,
  ],
  topic: (args: { storeId: string }) => `store:${args.storeId}`,
  topicOf: (payload) => `store:${payload.storeId}`,
  async open(subscription) {
    const access = await subscription.query(
      'query StoreOrdersAccess($storeId: ID!) { store(id: $storeId) { tickets(first: 1) { pageInfo { hasNextPage } } } }',
      { storeId: subscription.args.storeId },
    );
    if (access.errors?.length) throw access.errors;
    if (!access.data?.store) throw new BadUserInputError('storeId', 'no store has this id.');
  },
  async onEvent(subscription, event) {
    const result = await subscription.load({ orderId: event.payload.orderId }, event.id);
    if (subscription.emitErrorsWithoutPayload(result)) return;
    subscription.emit(subscription.payloadOf(result) as Record<string, unknown>, result);
  },
});

const maxRadiusKm = 20;

/**
 * `deliveryAvailable`: for riders, each delivery offered with its pickup within `radiusKm` of
 * `near`. Opening it runs `availableDeliveries` as the viewer, so only riders may.
 */
export const availableDeliveriesFeed = defineFeed({
  field: 'deliveryAvailable',
  source: 'delivery',
  events: [deliveryOffered],
  topic: (_args: { near: Coordinates; radiusKm: number }) => 'deliveries',
  topicOf: () => 'deliveries',
  async open(subscription) {
    const { near, radiusKm } = subscription.args;
    assertCoordinates(near, 'near');
    if (!(radiusKm > 0 && radiusKm <= maxRadiusKm)) {
      throw new BadUserInputError('radiusKm', `must be more than 0 and at most ${maxRadiusKm}.`);
    }
    const access = await subscription.query(
      'query DeliveriesAccess { availableDeliveries(first: 1) { pageInfo { hasNextPage } } }',
      {},
    );
    if (access.errors?.length) throw access.errors;
  },
  async onEvent(subscription, event) {
    const { deliveryId, pickup } = event.payload;
    if (distanceKm(pickup, subscription.args.near) > subscription.args.radiusKm) return;
    const result = await subscription.load({ id: deliveryId }, event.id);
    // Claimed by another rider before this payload was resolved: no longer on offer.
    const gone = result.errors?.every((error) => error.extensions?.code === 'FORBIDDEN');
    if (subscription.payloadOf(result) == null && gone) return;
    if (subscription.emitErrorsWithoutPayload(result)) return;
    subscription.emit(subscription.payloadOf(result) as Record<string, unknown>, result);
  },
});

export const liveFeeds: readonly AnyLiveFeed[] = [
  orderStatusFeed,
  storeOrdersFeed,
  availableDeliveriesFeed,
];
