import { distanceKm } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import { customers, owners, riders, stores } from './index.js';

const seoul = { lat: 37.5665, lng: 126.978 };

describe('demo data', () => {
  it('has at least 3 stores in Seoul with menus and owners, 5 riders and 3 customers', () => {
    expect(stores.length).toBeGreaterThanOrEqual(3);
    expect(riders).toHaveLength(5);
    expect(customers).toHaveLength(3);
    for (const store of stores) {
      expect(distanceKm(seoul, store)).toBeLessThan(20);
      expect(store.menu.length).toBeGreaterThan(0);
      expect(owners.map((owner) => owner.id)).toContain(store.ownerId);
    }
  });

  it('uses each id once', () => {
    const ids = [
      ...stores.map((store) => store.id),
      ...stores.flatMap((store) => store.menu.map((item) => item.id)),
      ...riders.map((rider) => rider.id),
      ...customers.map((customer) => customer.id),
      ...owners.map((owner) => owner.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts a rider within 3 km of every store, so every demo order can be delivered', () => {
    for (const store of stores) {
      expect(Math.min(...riders.map((rider) => distanceKm(rider, store)))).toBeLessThan(3);
    }
  });
});
