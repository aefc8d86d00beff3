import { type Coordinates, distanceKm } from '@baedal/domain';

/** How a rider gets around; their speed in the city differs (see `cityKmPerHour`). */
export type Vehicle = 'BICYCLE' | 'MOTORBIKE' | 'CAR';

/**
 * Streets are not straight lines: in a city grid the road distance is about 1.3 times the
 * straight-line distance (the usual detour index for urban road networks).
 */
export const roadFactor = 1.3;

/**
 * Average speed of each vehicle in city traffic, stops and lights included. A car is slower
 * than a motorbike there: it waits in the traffic a motorbike filters through.
 */
export const cityKmPerHour: Readonly<Record<Vehicle, number>> = Object.freeze({
  BICYCLE: 15,
  MOTORBIKE: 30,
  CAR: 20,
});

/**
 * Estimated travel time, in whole minutes, for a rider on `vehicle` from `from` to `to`:
 *
 *     minutes = ⌈ straight-line distance (km) × 1.3 (road factor) ÷ speed (km/h) × 60 ⌉
 *
 * with the speed of the vehicle in city traffic: bicycle 15 km/h, motorbike 30 km/h, car
 * 20 km/h. The straight-line distance is the great-circle distance between the two points;
 * the road factor turns it into the length of a typical route through city streets. The
 * result is rounded up, so "at most 15 minutes" never admits 15.2. For example, a store
 * 3 km away is 8 minutes by motorbike, 12 by car and 16 by bicycle.
 *
 * Deliberately simple: it needs nothing but the rider's last reported location and vehicle
 * (no routing service, no traffic feed), it is the same everywhere it is used (listing offers,
 * reading a delivery, claiming it), and a rider can check it by hand.
 */
export function travelMinutes(from: Coordinates, to: Coordinates, vehicle: Vehicle): number {
  return Math.ceil(((distanceKm(from, to) * roadFactor) / cityKmPerHour[vehicle]) * 60);
}
