import { BadUserInputError, requireParagraph } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { DeliveryState } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';

export interface ReportAccidentInput {
  readonly deliveryId: string;
  /** What happened to the food; the customer reads it as the reason their order was canceled. */
  readonly description: string;
}

/** The longest accident description, in characters. */
export const maxDescriptionLength = 500;

/**
 * Flow 9: the rider damaged the food of their picked-up delivery. The delivery is canceled
 * with the description as its reason and `delivery.accident-reported` is announced; the
 * order subgraph then cancels and refunds the order. Refuses anyone but the delivery's own
 * rider (`FORBIDDEN`, administrators included: the report is the rider's word), a delivery
 * that is not PICKED_UP (`INVALID_TRANSITION`), and a description that is empty, longer
 * than 500 characters or holds control characters other than line breaks and tabs
 * (`BAD_USER_INPUT` on `input.description`).
 */
export class ReportAccident implements UseCase<ReportAccidentInput, DeliveryState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async execute(viewer: Viewer | null, input: ReportAccidentInput): Promise<DeliveryState> {
    const rider = requirePerson(viewer, 'RIDER');
    const description = requireParagraph(
      input.description,
      'input.description',
      maxDescriptionLength,
    );
    if (description.length === 0) {
      throw new BadUserInputError('input.description', 'must not be empty.');
    }
    return transact(this.outbox, async (tx) => {
      const delivery = await this.deliveries.requireForInput(tx, input.deliveryId);
      delivery.reportAccident(rider, description, new Date());
      await this.deliveries.save(tx, delivery);
      return delivery.state;
    });
  }
}
