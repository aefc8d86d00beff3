import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { DeliveryActionInput } from './claim-delivery.command.js';
import type { DeliveryState } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';

/**
 * Flow 8: the rider who claimed the delivery reports that they have the food. Anyone else is
 * refused (`FORBIDDEN`), and so is a delivery that is not ASSIGNED (`INVALID_TRANSITION`).
 */
export class PickUpDelivery implements UseCase<DeliveryActionInput, DeliveryState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async execute(viewer: Viewer | null, input: DeliveryActionInput): Promise<DeliveryState> {
    const rider = requirePerson(viewer, 'RIDER');
    return transact(this.outbox, async (tx) => {
      const delivery = await this.deliveries.requireForInput(tx, input.deliveryId);
      delivery.pickUp(rider, new Date());
      await this.deliveries.save(tx, delivery);
      return delivery.state;
    });
  }
}
