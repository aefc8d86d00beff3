import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Delivery, type DeliveryStatus } from './delivery.aggregate.js';

const rider = { role: 'RIDER', id: 'rider-1' } as const;
const otherRider = { role: 'RIDER', id: 'rider-2' } as const;
const offeredAt = new Date('2026-11-20T12:00:00Z');
const at = new Date('2026-11-20T12:05:00Z');

const readyOrder = (express = false) => ({
  orderId: randomUUID(),
  storeId: 'store-1',
  storeOwnerId: 'owner-1',
  customerId: 'customer-1',
  pickup: { name: 'Store', address: 'Seoul', location: { lat: 37.5, lng: 127 } },
  dropoff: { address: 'Home', location: { lat: 37.51, lng: 127.01 } },
  express,
  deliveryFeeWon: 3000,
  expressFeeWon: express ? 2000 : 0,
});

/**
 * A delivery in `status`, claimed by `riderId` unless it is still available (a CANCELED one
 * was canceled before pick-up).
 */
function delivery(status: DeliveryStatus = 'AVAILABLE', riderId: string | null = rider.id) {
  const offered = Delivery.offer(readyOrder(), offeredAt);
  offered.pullEvents();
  if (status === 'AVAILABLE') return offered;
  const pickedUp = status === 'PICKED_UP' || status === 'DELIVERED';
  return new Delivery({
    ...offered.state,
    status,
    riderId,
    assignedAt: offeredAt,
    pickedUpAt: pickedUp ? offeredAt : null,
    version: 1,
  });
}

/** Runs `action` expecting it to throw `expected`, and checks it changed nothing. */
function expectRefusal(d: Delivery, action: () => void, expected: Record<string, unknown>) {
  const before = d.state;
  expect(action).toThrow(expect.objectContaining(expected));
  expect(d.state).toBe(before);
  expect(d.pullEvents()).toEqual([]);
}

describe('delivery', () => {
  it('is offered for a ready order, paying the rider the delivery fee', () => {
    const order = readyOrder();
    const d = Delivery.offer(order, offeredAt, randomUUID());
    expect(d.state).toMatchObject({
      orderId: order.orderId,
      status: 'AVAILABLE',
      deliveryFeeWon: 3000,
      expressFeeWon: 0,
      feeWon: 3000,
      cancelReason: null,
      riderId: null,
      version: 0,
      offeredAt,
    });
    const [event, ...others] = d.pullEvents();
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      type: 'delivery.offered',
      correlationId: order.orderId,
      actor: { role: 'SYSTEM', id: null },
      occurredAt: offeredAt.toISOString(),
      payload: {
        deliveryId: d.state.id,
        orderId: order.orderId,
        storeId: 'store-1',
        pickup: { lat: 37.5, lng: 127 },
        express: false,
        feeWon: 3000,
      },
    });
  });

  it('pays the rider the express surcharge on top of the fee', () => {
    const d = Delivery.offer(readyOrder(true), offeredAt);
    expect(d.state).toMatchObject({ deliveryFeeWon: 3000, expressFeeWon: 2000, feeWon: 5000 });
    expect(d.pullEvents()[0]?.payload).toMatchObject({ express: true, feeWon: 5000 });
  });

  it('gives each offer its own id', () => {
    expect(Delivery.offer(readyOrder(), at).state.id).not.toBe(
      Delivery.offer(readyOrder(), at).state.id,
    );
  });

  it('goes from available through assigned and picked up to delivered', () => {
    const d = delivery();
    d.claim(rider, at);
    expect(d.state).toMatchObject({ status: 'ASSIGNED', riderId: rider.id, assignedAt: at });
    d.pickUp(rider, at);
    expect(d.state).toMatchObject({ status: 'PICKED_UP', pickedUpAt: at });
    expect(d.pullEvents()).toMatchObject([
      {
        type: 'delivery.rider-assigned',
        actor: rider,
        payload: { deliveryId: d.state.id, orderId: d.state.orderId, riderId: rider.id },
      },
      {
        type: 'delivery.picked-up',
        actor: rider,
        payload: { deliveryId: d.state.id, orderId: d.state.orderId, riderId: rider.id },
      },
    ]);

    d.complete(at);
    expect(d.state).toMatchObject({ status: 'DELIVERED', closedAt: at });
    expect(d.pullEvents()).toEqual([]);
  });

  it.each(['ASSIGNED', 'PICKED_UP', 'DELIVERED'] as const)(
    'tells a rider that another rider claimed a delivery that is %s first',
    (status) => {
      const d = delivery(status, otherRider.id);
      expectRefusal(d, () => d.claim(rider, at), {
        code: 'CONFLICT',
        message: 'Another rider claimed this delivery first.',
      });
    },
  );

  it.each(['ASSIGNED', 'PICKED_UP', 'DELIVERED'] as const)(
    'refuses a rider claiming again a delivery of theirs that is %s',
    (status) => {
      const d = delivery(status, rider.id);
      expectRefusal(d, () => d.claim(rider, at), {
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      });
    },
  );

  it('refuses to claim a canceled delivery', () => {
    const d = delivery('CANCELED', null);
    expectRefusal(d, () => d.claim(rider, at), {
      code: 'INVALID_TRANSITION',
      details: expect.objectContaining({ currentStatus: 'CANCELED' }),
    });
  });

  it('lets only the rider who claimed a delivery pick it up', () => {
    const d = delivery('ASSIGNED', otherRider.id);
    expectRefusal(d, () => d.pickUp(rider, at), { code: 'FORBIDDEN' });
  });

  it('refuses to let anyone pick up a delivery nobody has claimed', () => {
    const d = delivery('AVAILABLE');
    expectRefusal(d, () => d.pickUp(rider, at), { code: 'FORBIDDEN' });
  });

  it.each(['PICKED_UP', 'DELIVERED', 'CANCELED'] as const)(
    'refuses to pick up a delivery that is %s',
    (status) => {
      const d = delivery(status, rider.id);
      expectRefusal(d, () => d.pickUp(rider, at), {
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      });
    },
  );

  it.each(['AVAILABLE', 'ASSIGNED', 'DELIVERED', 'CANCELED'] as const)(
    'refuses to complete a delivery that is %s',
    (status) => {
      const d = delivery(status, rider.id);
      expectRefusal(d, () => d.complete(at), {
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      });
    },
  );

  it('is canceled by its rider reporting an accident once they have the food, and announces it', () => {
    const d = delivery('PICKED_UP');
    d.reportAccident(rider, 'Dropped the box in the rain.', at);
    expect(d.state).toMatchObject({
      status: 'CANCELED',
      closedAt: at,
      cancelReason: 'Dropped the box in the rain.',
      riderId: rider.id,
    });
    expect(d.isOpen).toBe(false);
    expect(d.pullEvents()).toMatchObject([
      {
        type: 'delivery.accident-reported',
        correlationId: d.state.orderId,
        actor: rider,
        occurredAt: at.toISOString(),
        payload: {
          deliveryId: d.state.id,
          orderId: d.state.orderId,
          riderId: rider.id,
          description: 'Dropped the box in the rain.',
        },
      },
    ]);
  });

  it.each(['ASSIGNED', 'PICKED_UP', 'CANCELED'] as const)(
    'refuses an accident report from a rider who is not the rider of a delivery that is %s',
    (status) => {
      const d = delivery(status, otherRider.id);
      expectRefusal(d, () => d.reportAccident(rider, 'Spilled.', at), { code: 'FORBIDDEN' });
    },
  );

  it('refuses an accident report on a delivery nobody has claimed', () => {
    const d = delivery('AVAILABLE');
    expectRefusal(d, () => d.reportAccident(rider, 'Spilled.', at), { code: 'FORBIDDEN' });
  });

  it.each(['ASSIGNED', 'DELIVERED', 'CANCELED'] as const)(
    'refuses an accident report from its rider on a delivery that is %s',
    (status) => {
      const d = delivery(status, rider.id);
      expectRefusal(d, () => d.reportAccident(rider, 'Spilled.', at), {
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      });
    },
  );

  it("is delivered after all when the customer's confirmation overtook its rider's accident report", () => {
    const d = delivery('PICKED_UP');
    d.reportAccident(rider, 'Spilled.', at);
    d.pullEvents();
    const confirmedAt = new Date('2026-11-20T12:06:00Z');
    d.complete(confirmedAt);
    expect(d.state).toMatchObject({
      status: 'DELIVERED',
      closedAt: confirmedAt,
      cancelReason: null,
    });
    expect(d.pullEvents()).toEqual([]);
  });

  it.each(['AVAILABLE', 'ASSIGNED', 'PICKED_UP'] as const)(
    'is canceled with the order when it is %s, announcing nothing',
    (status) => {
      const d = delivery(status);
      expect(d.isOpen).toBe(true);
      d.cancel({ reason: 'Changed my mind', at });
      expect(d.state).toMatchObject({
        status: 'CANCELED',
        closedAt: at,
        cancelReason: 'Changed my mind',
      });
      expect(d.pullEvents()).toEqual([]);
    },
  );

  it.each(['DELIVERED', 'CANCELED'] as const)(
    'refuses to cancel a delivery that is already %s',
    (status) => {
      const d = delivery(status);
      expect(d.isOpen).toBe(false);
      expectRefusal(d, () => d.cancel({ reason: null, at }), {
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      });
    },
  );

  it('is created canceled, offered to nobody, for an order canceled before its food was ready', () => {
    const order = readyOrder(true);
    const d = Delivery.ofCanceledOrder(order, { reason: 'Too slow', at: offeredAt }, at);
    expect(d.state).toMatchObject({
      orderId: order.orderId,
      status: 'CANCELED',
      riderId: null,
      version: 0,
      deliveryFeeWon: 3000,
      expressFeeWon: 2000,
      feeWon: 5000,
      offeredAt: at,
      closedAt: at,
      cancelReason: 'Too slow',
    });
    expect(d.pullEvents()).toEqual([]);
    expectRefusal(d, () => d.claim(rider, at), {
      code: 'INVALID_TRANSITION',
      details: expect.objectContaining({ currentStatus: 'CANCELED' }),
    });
  });
});
