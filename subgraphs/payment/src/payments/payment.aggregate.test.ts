import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CardCharge } from './card.gateway.js';
import { type ChargeRequest, Payment, type PaymentStatus } from './payment.aggregate.js';

const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;
const at = new Date('2026-11-20T12:00:00Z');
const later = new Date('2026-11-20T12:05:00Z');
const approved: CardCharge = { approved: true, cardLast4: '4242' };
const declined: CardCharge = { approved: false, reason: 'Insufficient funds.', cardLast4: '0002' };

const request = (): ChargeRequest => ({
  orderId: randomUUID(),
  customerId: customer.id,
  amountWon: 41_000,
});

/** A payment loaded in `status`, as the repository would give it. */
function loaded(status: PaymentStatus): Payment {
  const first = Payment.charge(
    request(),
    status === 'DECLINED' ? declined : approved,
    customer,
    at,
  );
  return new Payment({ ...first.state, status });
}

describe('payment', () => {
  it('is captured by an approved first charge, announcing the capture once', () => {
    const charge = request();
    const payment = Payment.charge(charge, approved, customer, at);

    expect(payment.state).toMatchObject({
      ...charge,
      status: 'CAPTURED',
      cardLast4: '4242',
      declineReason: null,
      attempts: 1,
      createdAt: at,
      capturedAt: at,
      refundedAt: null,
    });
    const events = payment.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'payment.captured',
      correlationId: charge.orderId,
      actor: customer,
      occurredAt: at.toISOString(),
      payload: { paymentId: payment.state.id, ...charge },
    });
    expect(payment.pullEvents()).toEqual([]);
  });

  it('is declined by a declined first charge, with the reason, announcing nothing', () => {
    const payment = Payment.charge(request(), declined, customer, at);

    expect(payment.state).toMatchObject({
      status: 'DECLINED',
      cardLast4: '0002',
      declineReason: 'Insufficient funds.',
      attempts: 1,
      capturedAt: null,
    });
    expect(payment.pullEvents()).toEqual([]);
  });

  it('is captured by a second attempt with another card after a decline', () => {
    const payment = loaded('DECLINED');
    const { id, createdAt } = payment.state;
    payment.chargeAgain(approved, customer, later);

    expect(payment.state).toMatchObject({
      id,
      createdAt,
      status: 'CAPTURED',
      cardLast4: '4242',
      declineReason: null,
      attempts: 2,
      capturedAt: later,
    });
    expect(payment.pullEvents().map((event) => event.payload)).toEqual([
      expect.objectContaining({ paymentId: id }),
    ]);
  });

  it('counts a declined second attempt and keeps its reason, announcing nothing', () => {
    const payment = loaded('DECLINED');
    payment.chargeAgain(
      { approved: false, reason: 'Card expired.', cardLast4: '0009' },
      customer,
      later,
    );

    expect(payment.state).toMatchObject({
      status: 'DECLINED',
      cardLast4: '0009',
      declineReason: 'Card expired.',
      attempts: 2,
      capturedAt: null,
    });
    expect(payment.pullEvents()).toEqual([]);
  });

  it.each(['CAPTURED', 'REFUNDED'] as const)(
    'refuses to charge a %s payment again, and changes nothing',
    (status) => {
      const payment = loaded(status);
      payment.pullEvents();
      const before = payment.state;

      expect(() => payment.chargeAgain(approved, customer, later)).toThrow(
        expect.objectContaining({
          code: 'INVALID_TRANSITION',
          details: expect.objectContaining({ currentStatus: status }),
        }),
      );
      expect(payment.state).toBe(before);
      expect(payment.pullEvents()).toEqual([]);
    },
  );

  describe('a repeated request for the same order', () => {
    it('is accepted when it is for the same customer and amount', () => {
      const payment = loaded('CAPTURED');
      const { orderId, customerId, amountWon } = payment.state;
      expect(() => payment.checkRepeat({ orderId, customerId, amountWon })).not.toThrow();
    });

    it.each([
      ['another amount', { amountWon: 42_000 }],
      ['another customer', { customerId: 'customer-2' }],
    ])('is refused as a conflict for %s', (_, change) => {
      const payment = loaded('DECLINED');
      const { orderId, customerId, amountWon } = payment.state;
      expect(() => payment.checkRepeat({ orderId, customerId, amountWon, ...change })).toThrow(
        expect.objectContaining({ code: 'CONFLICT', details: { orderId } }),
      );
    });

    it('is refused once the payment was refunded', () => {
      const payment = loaded('REFUNDED');
      const { orderId, customerId, amountWon } = payment.state;
      expect(() => payment.checkRepeat({ orderId, customerId, amountWon })).toThrow(
        expect.objectContaining({ code: 'INVALID_TRANSITION' }),
      );
    });
  });
});
