import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SimulatedCardGateway } from './card.gateway.js';

const cards = new SimulatedCardGateway();
const request = (cardToken: string) => ({
  amountWon: 1000,
  cardToken,
  idempotencyKey: `${randomUUID()}:1`,
});

describe('simulated card gateway', () => {
  it("declines tok_declined with the issuer's reason", async () => {
    expect(await cards.charge(request('tok_declined'))).toEqual({
      approved: false,
      reason: 'The card was declined by its issuer.',
      cardLast4: 'ined',
    });
  });

  it("approves any other token, its last four characters playing the card's digits", async () => {
    expect(await cards.charge(request('tok_visa_4242'))).toEqual({
      approved: true,
      cardLast4: '4242',
    });
  });

  it('left-pads the last four of a token shorter than four characters with zeros', async () => {
    expect(await cards.charge(request('7'))).toEqual({
      approved: true,
      cardLast4: '0007',
    });
  });
});
