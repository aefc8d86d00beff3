import {
  type Coordinates,
  DomainError,
  distanceKm,
  ErrorCode,
  ForbiddenError,
} from '@baedal/domain';
import { travelMinutes, type Vehicle } from '../riders/travel-time.model.js';
import type { DeliveryStatus } from './delivery.aggregate.js';

/** What dispatch needs to know of a rider: where they last said they were, and how they ride. */
export interface RiderPosition {
  /** Null until the rider has reported a location: nothing is offered to them then. */
  readonly location: Coordinates | null;
  readonly vehicle: Vehicle;
}

/** What dispatch needs to know of a delivery. */
export interface Dispatchable {
  readonly status: DeliveryStatus;
  readonly express: boolean;
  readonly pickupAt: Coordinates;
}

/** How far a rider is from a pickup. */
export interface Reach {
  /** Straight line, from the rider's last reported location. */
  readonly distanceKm: number;
  /** Estimated travel time (see `travelMinutes`). */
  readonly minutesToPickup: number;
}

/**
 * The dispatch rule, in one place for listing offers, reading a delivery and claiming it: a
 * delivery is offered to a rider while it is AVAILABLE, its pickup is within `radiusKm` of the
 * rider's last reported location, and, for an express delivery, the rider's estimated travel
 * time to the pickup is at most `expressMaxMinutes`.
 */
export class DispatchPolicy {
  constructor(
    /** How far from a store (km, straight line) riders are offered its deliveries. */
    readonly radiusKm: number,
    /** The longest estimated travel time to the store (minutes) for an express delivery. */
    readonly expressMaxMinutes: number,
  ) {}

  /** How far the rider is from the delivery's pickup; null until they report a location. */
  reach(rider: RiderPosition, delivery: Dispatchable): Reach | null {
    if (!rider.location) return null;
    return {
      distanceKm: distanceKm(rider.location, delivery.pickupAt),
      minutesToPickup: travelMinutes(rider.location, delivery.pickupAt, rider.vehicle),
    };
  }

  /**
   * The rider's reach to the delivery if it is offered to them now, null if it is not (it is
   * taken or closed, they have no location, or it is out of their reach).
   */
  offer(rider: RiderPosition | null, delivery: Dispatchable): Reach | null {
    if (!rider || delivery.status !== 'AVAILABLE') return null;
    const reach = this.reach(rider, delivery);
    return reach && this.#refusal(reach, delivery) === null ? reach : null;
  }

  /** Whether the delivery is offered to the rider now (see `offer`). */
  isOffered(rider: RiderPosition | null, delivery: Dispatchable): boolean {
    return this.offer(rider, delivery) !== null;
  }

  /**
   * The rider's reach, if the delivery's pickup is close enough for them to claim it
   * (whatever its status, which the delivery itself judges). Otherwise `FORBIDDEN` saying why:
   * no reported location, beyond the radius (with `distanceKm` and `radiusKm`), or, for an
   * express delivery, too far in time (with `minutesToPickup` and `maxMinutes`).
   */
  requireInReach(rider: RiderPosition, delivery: Dispatchable): Reach {
    const reach = this.reach(rider, delivery);
    if (!reach) throw new ForbiddenError('Report your location before claiming a delivery.');
    const refusal = this.#refusal(reach, delivery);
    if (refusal) throw refusal;
    return reach;
  }

  #refusal(reach: Reach, delivery: Dispatchable): DomainError | null {
    if (reach.distanceKm > this.radiusKm) {
      return new DomainError(
        ErrorCode.Forbidden,
        `The store is ${reach.distanceKm.toFixed(1)} km from your last reported location; ` +
          `you may claim deliveries within ${this.radiusKm} km.`,
        { distanceKm: Math.round(reach.distanceKm * 100) / 100, radiusKm: this.radiusKm },
      );
    }
    if (delivery.express && reach.minutesToPickup > this.expressMaxMinutes) {
      return new DomainError(
        ErrorCode.Forbidden,
        `This is an express delivery: it goes to riders at most ${this.expressMaxMinutes} ` +
          `minutes from the store, and you are about ${reach.minutesToPickup} minutes away.`,
        { minutesToPickup: reach.minutesToPickup, maxMinutes: this.expressMaxMinutes },
      );
    }
    return null;
  }
}
