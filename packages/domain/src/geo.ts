import { BadUserInputError } from './errors.js';

export interface Coordinates {
  readonly lat: number;
  readonly lng: number;
}

const earthRadiusKm = 6371.0088;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine); accurate to well under 1% at city scale. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A latitude/longitude box that contains every point within `radiusKm` of `center`,
 * for an index-friendly first filter before the exact distance check.
 */
export function boundingBox(center: Coordinates, radiusKm: number) {
  const latDelta = radiusKm / 111.32;
  const lngDelta = radiusKm / (111.32 * Math.max(Math.cos(toRadians(center.lat)), 0.01));
  return {
    minLat: center.lat - latDelta,
    maxLat: center.lat + latDelta,
    minLng: center.lng - lngDelta,
    maxLng: center.lng + lngDelta,
  };
}

/** Refuses coordinates outside the globe, naming the offending input field. */
export function assertCoordinates(value: Coordinates, field: string): Coordinates {
  if (!Number.isFinite(value.lat) || value.lat < -90 || value.lat > 90) {
    throw new BadUserInputError(`${field}.lat`, 'must be a latitude between -90 and 90.');
  }
  if (!Number.isFinite(value.lng) || value.lng < -180 || value.lng > 180) {
    throw new BadUserInputError(`${field}.lng`, 'must be a longitude between -180 and 180.');
  }
  return value;
}
