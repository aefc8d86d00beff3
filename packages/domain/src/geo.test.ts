import { describe, expect, it } from 'vitest';
import { assertCoordinates, boundingBox, distanceKm } from './geo.js';

const seoulCityHall = { lat: 37.5663, lng: 126.9779 };
const gangnamStation = { lat: 37.4979, lng: 127.0276 };

describe('distanceKm', () => {
  it('measures Seoul City Hall to Gangnam Station as about 8.8 km', () => {
    expect(distanceKm(seoulCityHall, gangnamStation)).toBeCloseTo(8.76, 1);
  });

  it('is zero from a point to itself and symmetric', () => {
    expect(distanceKm(seoulCityHall, seoulCityHall)).toBe(0);
    expect(distanceKm(seoulCityHall, gangnamStation)).toBe(
      distanceKm(gangnamStation, seoulCityHall),
    );
  });
});

describe('boundingBox', () => {
  it('contains every point within the radius', () => {
    const box = boundingBox(seoulCityHall, 10);
    expect(gangnamStation.lat).toBeGreaterThan(box.minLat);
    expect(gangnamStation.lng).toBeLessThan(box.maxLng);
    const far = boundingBox(seoulCityHall, 5);
    expect(gangnamStation.lat).toBeLessThan(far.minLat);
  });
});

describe('assertCoordinates', () => {
  it('names the field of a latitude out of range', () => {
    expect(() => assertCoordinates({ lat: 91, lng: 0 }, 'input.location')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'input.location.lat' } }),
    );
  });

  it('refuses a longitude that is not a number', () => {
    expect(() => assertCoordinates({ lat: 0, lng: Number.NaN }, 'here')).toThrow(/here\.lng/);
  });
});
