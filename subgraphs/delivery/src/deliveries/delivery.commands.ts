import { BadUserInputError, distanceKm, ForbiddenError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { requireRiderProfile, riderLocation } from '../riders/rider-profile.js';
import type { Delivery, DeliveryState } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';

/** What riders do with deliveries. */
export class DeliveryCommands {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly deliveries: DeliveryRepository,
    /** How far from the store a rider may be to claim its delivery. */
    private readonly dispatchRadiusKm: number,
  ) {}

  /**
   * Assigns the delivery to the signed-in rider, if they are within the dispatch radius of
   * the store. Of two riders claiming at once exactly one succeeds; the other gets `CONFLICT`.
   * Only a rider may (no administrator bypass): the claim records the viewer as its rider.
   */
  claim(viewer: Viewer | null, deliveryId: string): Promise<DeliveryState> {
    const actor = requirePerson(viewer, 'RIDER');
    return this.outbox.transaction(async (tx) => {
      const rider = await requireRiderProfile(tx, actor);
      const delivery = await this.#find(tx, deliveryId);
      const location = riderLocation(rider);
      if (!location) throw new ForbiddenError('Report your location before claiming a delivery.');
      const km = distanceKm(location, delivery.state.pickup.location);
      if (km > this.dispatchRadiusKm) {
        throw new ForbiddenError(
          `The store is ${km.toFixed(1)} km from your last reported location; ` +
            `you may claim deliveries within ${this.dispatchRadiusKm} km.`,
        );
      }
      delivery.claim(actor, new Date());
      await this.deliveries.save(tx, delivery);
      return delivery.state;
    });
  }

  /** The rider who claimed the delivery reports that they have the food (only that rider). */
  pickUp(viewer: Viewer | null, deliveryId: string): Promise<DeliveryState> {
    const actor = requirePerson(viewer, 'RIDER');
    return this.outbox.transaction(async (tx) => {
      const delivery = await this.#find(tx, deliveryId);
      delivery.pickUp(actor, new Date());
      await this.deliveries.save(tx, delivery);
      return delivery.state;
    });
  }

  async #find(tx: Tx, deliveryId: string): Promise<Delivery> {
    const delivery = await this.deliveries.find(tx, deliveryId);
    if (!delivery) throw new BadUserInputError('input.deliveryId', 'no delivery has this id.');
    return delivery;
  }
}
