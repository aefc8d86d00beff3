import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { requireRiderProfile, riderPosition } from '../riders/rider.queries.js';
import type { DeliveryState } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';
import type { DispatchPolicy } from './dispatch.policy.js';

/** Names the delivery a rider acts on. */
export interface DeliveryActionInput {
  readonly deliveryId: string;
}

/**
 * Flow 7: the signed-in rider takes a delivery offered to them. Refuses (`FORBIDDEN`, saying
 * why) a rider who has not reported a location, one beyond the dispatch radius of the store,
 * and, for an express delivery, one whose estimated travel time to the store is over the
 * express limit. Of two riders claiming at once exactly one gets it; the other gets
 * `CONFLICT`. Only a rider may (no administrator bypass): the claim records the viewer as
 * the delivery's rider.
 */
export class ClaimDelivery implements UseCase<DeliveryActionInput, DeliveryState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly deliveries: DeliveryRepository,
    private readonly dispatch: DispatchPolicy,
  ) {}

  async execute(viewer: Viewer | null, input: DeliveryActionInput): Promise<DeliveryState> {
    const actor = requirePerson(viewer, 'RIDER');
    return transact(this.outbox, async (tx) => {
      const rider = await requireRiderProfile(tx, actor);
      const delivery = await this.deliveries.requireForInput(tx, input.deliveryId);
      this.dispatch.requireInReach(riderPosition(rider), {
        ...delivery.state,
        pickupAt: delivery.state.pickup.location,
      });
      delivery.claim(actor, new Date());
      await this.deliveries.save(tx, delivery);
      return delivery.state;
    });
  }
}
