import { describe, expect, it } from 'vitest';
import * as catalog from './index.js';
import { orderPlaced } from './index.js';

const definitions = Object.values(catalog).filter(
  (value): value is typeof orderPlaced =>
    typeof value === 'object' && value !== null && 'create' in value,
);

describe('event catalog', () => {
  it('declares each type and version once, named after its producer', () => {
    const keys = definitions.map((definition) => `${definition.type}@${definition.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const definition of definitions)
      expect(definition.type.startsWith(`${definition.producer}.`)).toBe(true);
  });

  it('refuses to create an event whose payload breaks its schema', () => {
    expect(() =>
      orderPlaced.create({ orderId: 'not-a-uuid' } as never, {
        actor: { role: 'SYSTEM', id: null },
      }),
    ).toThrow();
  });

  it('uses the order id as correlation id', () => {
    const orderId = crypto.randomUUID();
    const event = orderPlaced.create(
      {
        orderId,
        customerId: 'customer-1',
        storeId: 'store-1',
        items: [{ menuItemId: 'm1', name: 'Fried chicken', quantity: 1, unitPriceWon: 18000 }],
        express: false,
        subtotalWon: 18000,
        deliveryFeeWon: 3000,
        expressFeeWon: 0,
        totalWon: 21000,
        deliveryAddress: { address: 'Seoul', location: { lat: 37.5, lng: 127 } },
      },
      { actor: { role: 'CUSTOMER', id: 'customer-1' } },
    );
    expect(event).toMatchObject({
      correlationId: orderId,
      producer: 'order',
      version: 1,
      causationId: null,
    });
  });
});
