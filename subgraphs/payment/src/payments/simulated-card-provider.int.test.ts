import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@baedal/prisma/testing';
import { eventually } from '@baedal/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../db.js';
import { type SimulatedCardOptions, SimulatedCardProvider } from './simulated-card-provider.js';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase('payment');
  db = connectDatabase(database.url);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.[Symbol.asyncDispose]();
});

const provider = (options: Partial<SimulatedCardOptions> = {}) =>
  new SimulatedCardProvider(db, { latencyMs: 0, slowMs: 600_000, outage: false, ...options });
const patient = () => new AbortController().signal;
const charge = (cardToken: string, idempotencyKey = randomUUID(), amountWon = 41_000) => ({
  idempotencyKey,
  amountWon,
  cardToken,
});
const booked = (idempotencyKey: string) =>
  db.simulatedCardOperation.findMany({ where: { idempotencyKey } });

describe('the simulated card provider', () => {
  it('approves any token but tok_declined, which its issuer declines', async () => {
    const cards = provider();

    expect(await cards.charge(charge('tok_visa_4242'), patient())).toEqual({ approved: true });
    expect(await cards.charge(charge('tok_declined'), patient())).toEqual({
      approved: false,
      reason: 'The card was declined by its issuer.',
    });
  });

  it('answers a repeated key with its first answer, and books the charge once', async () => {
    const cards = provider();
    const first = charge('tok_visa_4242');

    await cards.charge(first, patient());
    // Another card under the same key: the provider answers what it answered, charging nothing.
    expect(await cards.charge({ ...first, cardToken: 'tok_declined' }, patient())).toEqual({
      approved: true,
    });
    expect(await booked(first.idempotencyKey)).toEqual([
      expect.objectContaining({ kind: 'charge', amountWon: 41_000, approved: true }),
    ]);
  });

  it('refuses a key repeated for another amount, charging nothing more', async () => {
    const cards = provider();
    const first = charge('tok_visa_4242');
    await cards.charge(first, patient());

    await expect(cards.charge({ ...first, amountWon: 1 }, patient())).rejects.toThrow(
      'was used for a charge of 41000 won',
    );
    expect(await booked(first.idempotencyKey)).toHaveLength(1);
  });

  it('charges tok_slow at once but answers late; asked again, it answers at once', async () => {
    const cards = provider();
    const slow = charge('tok_slow');
    const caller = new AbortController();

    const late = cards.charge(slow, caller.signal);
    await eventually(async () => expect(await booked(slow.idempotencyKey)).toHaveLength(1));
    caller.abort(new Error('the caller gave up'));

    await expect(late).rejects.toMatchObject({ name: 'AbortError' });
    expect(await cards.charge(slow, patient())).toEqual({ approved: true });
    expect(await booked(slow.idempotencyKey)).toHaveLength(1);
  });

  it('fails every call without booking anything during an outage', async () => {
    const down = provider({ outage: true });
    const attempt = charge('tok_visa_4242');

    await expect(down.charge(attempt, patient())).rejects.toThrow('The card provider is down.');
    await expect(
      down.refund(
        {
          idempotencyKey: `refund:${randomUUID()}`,
          chargeKey: attempt.idempotencyKey,
          amountWon: 1,
        },
        patient(),
      ),
    ).rejects.toThrow('The card provider is down.');
    expect(await booked(attempt.idempotencyKey)).toEqual([]);
  });

  it('refunds an approved charge once, however often asked', async () => {
    const cards = provider();
    const paid = charge('tok_visa_4242');
    await cards.charge(paid, patient());
    const refund = {
      idempotencyKey: `refund:${randomUUID()}`,
      chargeKey: paid.idempotencyKey,
      amountWon: 41_000,
    };

    await cards.refund(refund, patient());
    await cards.refund(refund, patient());

    expect(await booked(refund.idempotencyKey)).toEqual([
      expect.objectContaining({ kind: 'refund', amountWon: 41_000 }),
    ]);
  });

  it('refuses to refund a charge it declined or never made', async () => {
    const cards = provider();
    const declined = charge('tok_declined');
    await cards.charge(declined, patient());

    for (const chargeKey of [declined.idempotencyKey, randomUUID()]) {
      const refund = { idempotencyKey: `refund:${randomUUID()}`, chargeKey, amountWon: 41_000 };
      await expect(cards.refund(refund, patient())).rejects.toThrow('No approved charge');
      expect(await booked(refund.idempotencyKey)).toEqual([]);
    }
  });
});
