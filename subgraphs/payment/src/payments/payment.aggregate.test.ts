import { randomUUID } from 'node:crypto';
import type { ChargeRequest } from '@baedal/contracts';
import { systemActor } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import type { CardChargeAnswer } from './card-provider.js';
import { type ChargeStep, Payment, pointsFor } from './payment.aggregate.js';

const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;
const at = new Date('2026-11-20T12:00:00Z');
const later = new Date('2026-11-20T12:05:00Z');
const approved: CardChargeAnswer = { approved: true };
const declined: CardChargeAnswer = { approved: false, reason: 'Insufficient funds.' };
const policy = { pointsEarnPercent: 1 };

const request = (change: Partial<ChargeRequest> = {}): ChargeRequest => ({
  orderId: randomUUID(),
  customerId: customer.id,
  amountWon: 41_050,
  deliveryFeeWon: 3_000,
  expressFeeWon: 2_000,
  cardToken: 'tok_visa_4242',
  attemptKey: randomUUID(),
  ...change,
});

/** A new payment whose first attempt was recorded; what the charge command saves. */
function charged(first: ChargeRequest = request()): { payment: Payment; step: ChargeStep } {
  const payment = Payment.open(first, at);
  return { payment, step: payment.charge(first, at) };
}

/** The payment as the repository would load it after the charge was saved. */
const reloaded = (payment: Payment) =>
  new Payment({ ...payment.state, version: payment.state.version + 1 });

/** A payment whose first attempt was settled with `answer`, saved and loaded again. */
function settled(answer: CardChargeAnswer, first: ChargeRequest = request()): Payment {
  const payment = reloaded(charged(first).payment);
  payment.settle(first.attemptKey, answer, policy, customer, at);
  return reloaded(payment);
}

describe('charging a payment', () => {
  it('records a first PENDING attempt with the card and its last four, and asks to charge it', () => {
    const first = request();
    const { payment, step } = charged(first);

    expect(step).toEqual({
      kind: 'charge',
      paymentId: payment.state.id,
      attempt: {
        key: first.attemptKey,
        cardToken: 'tok_visa_4242',
        cardLast4: '4242',
        amountWon: 41_050,
        status: 'PENDING',
        declineReason: null,
        startedAt: at,
        settledAt: null,
      },
    });
    expect(payment.state).toMatchObject({
      orderId: first.orderId,
      customerId: customer.id,
      amountWon: 41_050,
      deliveryFeeWon: 3_000,
      expressFeeWon: 2_000,
      status: 'PENDING',
      cardLast4: '4242',
      version: 0,
    });
    expect(payment.pullAttemptChanges()).toEqual({
      added: [payment.state.attempts[0]],
      settled: [],
    });
    expect(payment.pullEvents()).toEqual([]);
  });

  it('asks about an attempt of unknown outcome first instead of starting another beside it', () => {
    const first = request();
    const payment = reloaded(charged(first).payment);
    const before = payment.state;

    for (const attemptKey of [first.attemptKey, 'another-key']) {
      const step = payment.charge({ ...first, attemptKey, cardToken: 'tok_mastercard' }, later);
      expect(step).toMatchObject({ kind: 'settle-first', attempt: { key: first.attemptKey } });
    }
    expect(payment.state).toBe(before);
  });

  it('answers CAPTURED for a captured payment, whatever the key and card', () => {
    const first = request();
    const payment = settled(approved, first);
    const before = payment.state;

    const step = payment.charge(
      { ...first, attemptKey: 'another-key', cardToken: 'tok_declined' },
      later,
    );

    expect(step).toEqual({
      kind: 'answer',
      answer: { paymentId: before.id, status: 'CAPTURED', declineReason: null },
    });
    expect(payment.state).toBe(before);
  });

  it('replays the decline of a settled attempt named again, and charges a new key with the new card', () => {
    const first = request();
    const payment = settled(declined, first);

    expect(payment.charge(first, later)).toEqual({
      kind: 'answer',
      answer: {
        paymentId: payment.state.id,
        status: 'DECLINED',
        declineReason: 'Insufficient funds.',
      },
    });

    const retry = { ...first, attemptKey: 'second', cardToken: 'tok_master_5100' };
    expect(payment.charge(retry, later)).toMatchObject({
      kind: 'charge',
      attempt: { key: 'second', cardLast4: '5100', status: 'PENDING', startedAt: later },
    });
    expect(payment.state).toMatchObject({
      status: 'PENDING',
      cardLast4: '5100',
      declineReason: null,
    });
    expect(payment.state.attempts.map((attempt) => attempt.key)).toEqual([
      first.attemptKey,
      'second',
    ]);
  });

  it.each([
    ['another customer', { customerId: 'customer-2' }],
    ['another amount', { amountWon: 1 }],
    ['other fees', { expressFeeWon: 0 }],
  ])('refuses a request for %s as a conflict, changing nothing', (_, change) => {
    const first = request();
    const payment = settled(declined, first);
    const before = payment.state;

    expect(() => payment.charge({ ...first, attemptKey: 'other', ...change }, later)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', details: { orderId: first.orderId } }),
    );
    expect(payment.state).toBe(before);
  });

  it('refuses any charge once the order is closed, with the payment status', () => {
    const first = request();
    const payment = settled(approved, first);
    payment.closeOrder(later);

    expect(() => payment.charge(first, later)).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: 'REFUNDING' }),
      }),
    );
  });
});

describe('settling an attempt', () => {
  it('captures on approval, announcing the capture and earning points once', () => {
    const first = request();
    const payment = reloaded(charged(first).payment);

    expect(payment.settle(first.attemptKey, approved, policy, customer, later)).toBe(true);

    expect(payment.state).toMatchObject({
      status: 'CAPTURED',
      capturedAt: later,
      declineReason: null,
      pointsEarned: 410,
    });
    expect(payment.state.attempts[0]).toMatchObject({ status: 'APPROVED', settledAt: later });
    expect(payment.pullAttemptChanges().settled).toEqual([payment.state.attempts[0]]);
    expect(payment.pullPointsEntries()).toEqual([
      expect.objectContaining({ kind: 'EARNED', points: 410, paymentId: payment.state.id }),
    ]);
    const events = payment.pullEvents();
    expect(events).toEqual([
      expect.objectContaining({
        type: 'payment.captured',
        correlationId: first.orderId,
        actor: customer,
        occurredAt: later.toISOString(),
        payload: {
          paymentId: payment.state.id,
          orderId: first.orderId,
          customerId: customer.id,
          amountWon: 41_050,
        },
      }),
    ]);
  });

  it('declines with the reason, announcing nothing', () => {
    const first = request();
    const payment = reloaded(charged(first).payment);

    payment.settle(first.attemptKey, declined, policy, customer, later);

    expect(payment.state).toMatchObject({
      status: 'DECLINED',
      declineReason: 'Insufficient funds.',
      capturedAt: null,
      pointsEarned: 0,
    });
    expect(payment.state.attempts[0]).toMatchObject({
      status: 'DECLINED',
      declineReason: 'Insufficient funds.',
    });
    expect(payment.pullEvents()).toEqual([]);
    expect(payment.pullPointsEntries()).toEqual([]);
  });

  it('leaves an attempt settled already as it is', () => {
    const first = request();
    const payment = settled(approved, first);
    const before = payment.state;

    expect(payment.settle(first.attemptKey, approved, policy, systemActor, later)).toBe(false);
    expect(payment.state).toBe(before);
    expect(payment.pullEvents()).toEqual([]);
    expect(payment.pullPointsEntries()).toEqual([]);
  });

  it('captures then refunds at once an approval that comes after the order was closed', () => {
    const first = request();
    const payment = reloaded(charged(first).payment);
    payment.closeOrder(later);
    expect(payment.state).toMatchObject({ status: 'PENDING', orderClosedAt: later });

    payment.settle(first.attemptKey, approved, policy, systemActor, later);

    expect(payment.state).toMatchObject({
      status: 'REFUNDING',
      capturedAt: later,
      pointsEarned: 410,
    });
    expect(payment.pullEvents().map((event) => event.type)).toEqual(['payment.captured']);
    expect(payment.refundRequest()).toEqual({
      idempotencyKey: `refund:${payment.state.id}`,
      chargeKey: first.attemptKey,
      amountWon: 41_050,
    });
  });

  it('cancels a payment whose charge is declined after the order was closed', () => {
    const first = request();
    const payment = reloaded(charged(first).payment);
    payment.closeOrder(later);

    payment.settle(first.attemptKey, declined, policy, systemActor, later);

    expect(payment.state).toMatchObject({
      status: 'CANCELED',
      declineReason: 'Insufficient funds.',
    });
  });
});

describe('closing the order', () => {
  it.each([
    ['CAPTURED', approved, 'REFUNDING'],
    ['DECLINED', declined, 'CANCELED'],
  ] as const)('turns a %s payment %s', (_, answer, closed) => {
    const payment = settled(answer);

    expect(payment.closeOrder(later)).toBe(true);
    expect(payment.state).toMatchObject({ status: closed, orderClosedAt: later });
  });

  it('changes nothing when the order was closed already', () => {
    const payment = settled(approved);
    payment.closeOrder(at);
    const before = payment.state;

    expect(payment.closeOrder(later)).toBe(false);
    expect(payment.state).toBe(before);
  });

  it('records a CANCELED payment without attempt for an order closed before any charge', () => {
    const orderId = randomUUID();
    const payment = Payment.closedBeforeCharge({ orderId, customerId: customer.id }, at);

    expect(payment.state).toMatchObject({
      orderId,
      status: 'CANCELED',
      orderClosedAt: at,
      cardLast4: null,
      attempts: [],
      version: 0,
    });
    expect(() => payment.charge(request({ orderId }), later)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
  });
});

describe('completing a refund', () => {
  it('refunds, takes back exactly the points earned and announces it', () => {
    const payment = settled(approved);
    payment.closeOrder(later);
    payment.completeRefund(systemActor, later);

    expect(payment.state).toMatchObject({ status: 'REFUNDED', refundedAt: later });
    expect(payment.pullPointsEntries()).toEqual([
      expect.objectContaining({ kind: 'REVERSED', points: -410 }),
    ]);
    expect(payment.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'payment.refunded',
        actor: systemActor,
        payload: expect.objectContaining({ amountWon: 41_050, pointsReversed: 410 }),
      }),
    ]);
  });

  it.each([
    ['CAPTURED', () => settled(approved)],
    [
      'REFUNDED',
      () => {
        const payment = settled(approved);
        payment.closeOrder(later);
        payment.completeRefund(systemActor, later);
        return payment;
      },
    ],
  ])('refuses to refund a %s payment, changing nothing', (status, make) => {
    const payment = make();
    payment.pullEvents();
    const before = payment.state;

    expect(() => payment.completeRefund(systemActor, later)).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      }),
    );
    expect(() => payment.refundRequest()).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
    expect(payment.state).toBe(before);
    expect(payment.pullEvents()).toEqual([]);
  });
});

describe('points', () => {
  it.each([
    [41_050, 1, 410],
    [99, 1, 0],
    [10_000, 0, 0],
    [12_345, 5, 617],
    [100_000_000, 100, 100_000_000],
  ])('earns floor(%i × %i%%) = %i points', (amountWon, percent, points) => {
    expect(pointsFor(amountWon, percent)).toBe(points);
  });

  it('records no ledger line for a capture that earns no points', () => {
    const first = request({ amountWon: 99, deliveryFeeWon: 0, expressFeeWon: 0 });
    const payment = reloaded(charged(first).payment);
    payment.settle(first.attemptKey, approved, policy, customer, at);

    expect(payment.state.pointsEarned).toBe(0);
    expect(payment.pullPointsEntries()).toEqual([]);
  });
});
