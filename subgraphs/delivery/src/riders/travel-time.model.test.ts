import { distanceKm } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import { travelMinutes } from './travel-time.model.js';

const store = { lat: 37.4979, lng: 127.0276 };
/** A point `km` due north of the store (a degree of latitude is about 111.2 km). */
const north = (km: number) => ({ lat: store.lat + km / 111.195, lng: store.lng });

describe('travel time', () => {
  it('is the straight-line distance times 1.3 at the speed of the vehicle, in minutes rounded up', () => {
    const from = north(3);
    expect(distanceKm(from, store)).toBeCloseTo(3, 3);
    // 3 km × 1.3 = 3.9 km of road: 7.8 min at 30 km/h, 11.7 at 20 km/h, 15.6 at 15 km/h.
    expect(travelMinutes(from, store, 'MOTORBIKE')).toBe(8);
    expect(travelMinutes(from, store, 'CAR')).toBe(12);
    expect(travelMinutes(from, store, 'BICYCLE')).toBe(16);
  });

  it('rounds any part of a minute up', () => {
    // 1 km × 1.3 at 30 km/h is 2.6 minutes.
    expect(travelMinutes(north(1), store, 'MOTORBIKE')).toBe(3);
  });

  it('is zero minutes from the store itself', () => {
    expect(travelMinutes(store, store, 'BICYCLE')).toBe(0);
  });

  it('is the same both ways', () => {
    expect(travelMinutes(north(2.2), store, 'CAR')).toBe(travelMinutes(store, north(2.2), 'CAR'));
  });

  it('puts a bicycle over 15 minutes just inside 3 km, where a motorbike is within 8', () => {
    const from = north(2.95);
    expect(travelMinutes(from, store, 'BICYCLE')).toBe(16);
    expect(travelMinutes(from, store, 'MOTORBIKE')).toBe(8);
  });
});
