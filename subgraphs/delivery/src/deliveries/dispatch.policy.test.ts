import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from './delivery.aggregate.js';
import { type Dispatchable, DispatchPolicy, type RiderPosition } from './dispatch.policy.js';

const store = { lat: 37.4979, lng: 127.0276 };
/** A point `km` due north of the store (a degree of latitude is about 111.2 km). */
const north = (km: number) => ({ lat: store.lat + km / 111.195, lng: store.lng });

const dispatch = new DispatchPolicy(3, 15);
const delivery = (express: boolean, status: DeliveryStatus = 'AVAILABLE'): Dispatchable => ({
  status,
  express,
  pickupAt: store,
});
const rider = (vehicle: RiderPosition['vehicle'], km: number | null): RiderPosition => ({
  vehicle,
  location: km === null ? null : north(km),
});

describe('dispatch', () => {
  it('offers a standard delivery to any rider within the radius, with their reach', () => {
    const reach = dispatch.offer(rider('BICYCLE', 2.95), delivery(false));
    expect(reach?.distanceKm).toBeCloseTo(2.95, 3);
    expect(reach?.minutesToPickup).toBe(16);
    expect(dispatch.isOffered(rider('CAR', 0.5), delivery(false))).toBe(true);
  });

  it('offers nothing beyond the radius, whatever the vehicle', () => {
    expect(dispatch.offer(rider('MOTORBIKE', 3.05), delivery(false))).toBeNull();
    expect(dispatch.isOffered(rider('MOTORBIKE', 3.05), delivery(true))).toBe(false);
  });

  it('offers an express delivery only to riders at most 15 minutes from the store', () => {
    expect(dispatch.offer(rider('MOTORBIKE', 2.95), delivery(true))?.minutesToPickup).toBe(8);
    expect(dispatch.isOffered(rider('CAR', 2.95), delivery(true))).toBe(true);
    expect(dispatch.isOffered(rider('BICYCLE', 2.95), delivery(true))).toBe(false);
    // 2.8 km by bicycle: 14.56 minutes, rounded up to 15, is still in time.
    expect(dispatch.offer(rider('BICYCLE', 2.8), delivery(true))?.minutesToPickup).toBe(15);
  });

  it('follows a configured express limit', () => {
    const strict = new DispatchPolicy(3, 5);
    expect(strict.isOffered(rider('MOTORBIKE', 1.9), delivery(true))).toBe(true);
    expect(strict.isOffered(rider('MOTORBIKE', 2), delivery(true))).toBe(false);
    expect(strict.isOffered(rider('MOTORBIKE', 2), delivery(false))).toBe(true);
  });

  it('offers nothing to a rider without a location, and nothing that is not available', () => {
    expect(dispatch.offer(rider('MOTORBIKE', null), delivery(false))).toBeNull();
    expect(dispatch.offer(null, delivery(false))).toBeNull();
    for (const status of ['ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELED'] as const) {
      expect(dispatch.isOffered(rider('MOTORBIKE', 0), delivery(false, status))).toBe(false);
    }
  });

  it('refuses a claim from too far, saying how far and what the radius is', () => {
    expect(() => dispatch.requireInReach(rider('MOTORBIKE', 11), delivery(false))).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/11\.0 km .* within 3 km/),
        details: { distanceKm: 11, radiusKm: 3 },
      }),
    );
  });

  it('refuses an express claim from a rider too far in time, with their minutes and the limit', () => {
    expect(() => dispatch.requireInReach(rider('BICYCLE', 2.95), delivery(true))).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/express .* at most 15 minutes .* about 16 minutes/),
        details: { minutesToPickup: 16, maxMinutes: 15 },
      }),
    );
  });

  it('refuses a claim from a rider who has not reported a location', () => {
    expect(() => dispatch.requireInReach(rider('CAR', null), delivery(false))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringMatching(/location/) }),
    );
  });

  it('leaves the status to the delivery: a taken delivery nearby is in reach', () => {
    expect(
      dispatch.requireInReach(rider('MOTORBIKE', 1), delivery(true, 'ASSIGNED')).minutesToPickup,
    ).toBe(3);
  });
});
