import { distanceKm, ForbiddenError } from '@baedal/domain';
import { dateTimeScalar, requireRole, roundKm, type UseCase } from '@baedal/service-kit';
import type { DeliveryContext } from './context.js';
import type { Db } from './db.js';
import type { DeliveryActionInput } from './deliveries/claim-delivery.command.js';
import { canReadDelivery, isPartyTo } from './deliveries/delivery.access.js';
import type { DeliveryState } from './deliveries/delivery.aggregate.js';
import {
  availableDeliveries,
  dispatchable,
  dropoffOf,
  pickupOf,
  riderDeliveries,
} from './deliveries/delivery.queries.js';
import type { DispatchPolicy } from './deliveries/dispatch.policy.js';
import type { ReportAccidentInput } from './deliveries/report-accident.command.js';
import type { Delivery, Rider } from './generated/prisma/client.js';
import { riderLocation, riderPosition } from './riders/rider.queries.js';
import type { UpdateRiderLocationInput } from './riders/update-rider-location.command.js';
import type { Resolvers } from './schema.generated.js';

/** What the resolvers read with, and the commands they run. */
export interface DeliveryResolverParts {
  readonly db: Db;
  readonly dispatch: DispatchPolicy;
  readonly claimDelivery: UseCase<DeliveryActionInput, DeliveryState>;
  readonly pickUpDelivery: UseCase<DeliveryActionInput, DeliveryState>;
  readonly reportAccident: UseCase<ReportAccidentInput, DeliveryState>;
  readonly updateRiderLocation: UseCase<UpdateRiderLocationInput, Rider>;
}

export function createResolvers({
  db,
  dispatch,
  claimDelivery,
  pickUpDelivery,
  reportAccident,
  updateRiderLocation,
}: DeliveryResolverParts): Resolvers {
  /**
   * Mutations answer with the delivery as a reader would load it. The command has just saved
   * it, so it is there.
   */
  const deliveryPayload = async (state: DeliveryState, context: DeliveryContext) => ({
    delivery: (await context.loaders.delivery.clear(state.id).load(state.id))!,
  });

  /** Whether the viewer may read the delivery (see `canReadDelivery`). */
  const mayRead = (delivery: Delivery, { viewer, loaders }: DeliveryContext) =>
    canReadDelivery(viewer, dispatchable(delivery), dispatch, async (riderId) => {
      const rider = await loaders.rider.load(riderId);
      return rider && riderPosition(rider);
    });

  /**
   * A delivery reached by reference (from an order, or the gateway's entity lookup), if the
   * viewer may read it; null if there is none or they may not.
   */
  const readableOrNull = async (delivery: Delivery | null, context: DeliveryContext) =>
    delivery && (await mayRead(delivery, context)) ? delivery : null;

  return {
    DateTime: dateTimeScalar,

    Query: {
      availableDeliveries: async (_, args, context) => {
        const viewer = requireRole(context.viewer, 'RIDER');
        const rider = await context.loaders.rider.load(viewer.id);
        return availableDeliveries(db, dispatch, rider && riderPosition(rider), args);
      },
      delivery: async (_, { id }, context) => {
        requireRole(context.viewer);
        const delivery = await context.loaders.delivery.load(id);
        if (delivery && !(await mayRead(delivery, context))) {
          throw new ForbiddenError('This delivery is not yours to see.');
        }
        return delivery;
      },
      myDeliveries: (_, args, context) =>
        riderDeliveries(db, requireRole(context.viewer, 'RIDER').id, args),
      riderProfile: (_, __, context) =>
        context.loaders.rider.load(requireRole(context.viewer, 'RIDER').id),
    },

    Mutation: {
      updateRiderLocation: async (_, { input }, context) => ({
        rider: await updateRiderLocation.execute(context.viewer, input),
      }),
      claimDelivery: async (_, { input }, context) =>
        deliveryPayload(await claimDelivery.execute(context.viewer, input), context),
      pickUpDelivery: async (_, { input }, context) =>
        deliveryPayload(await pickUpDelivery.execute(context.viewer, input), context),
      reportAccident: async (_, { input }, context) =>
        deliveryPayload(await reportAccident.execute(context.viewer, input), context),
    },

    Delivery: {
      __resolveReference: async ({ id }, context) =>
        readableOrNull(await context.loaders.delivery.load(id), context),
      // Riders browsing offers learn which order it is, and where it goes, once they claim it.
      order: (delivery, _, context) =>
        isPartyTo(context.viewer, delivery) ? { id: delivery.orderId } : null,
      store: (delivery) => ({ id: delivery.storeId }),
      pickup: (delivery) => ({
        name: delivery.pickupName,
        address: delivery.pickupAddress,
        location: pickupOf(delivery),
      }),
      dropoff: (delivery, _, context) =>
        isPartyTo(context.viewer, delivery)
          ? { name: null, address: delivery.dropoffAddress, location: dropoffOf(delivery) }
          : null,
      distanceKm: (delivery) => roundKm(distanceKm(pickupOf(delivery), dropoffOf(delivery))),
      rider: (delivery, _, context) =>
        delivery.riderId ? context.loaders.rider.load(delivery.riderId) : null,
    },

    Rider: {
      __resolveReference: ({ id }, context) => context.loaders.rider.load(id),
      location: (rider, _, context) =>
        isRiderThemself(context, rider) ? riderLocation(rider) : null,
      locationUpdatedAt: (rider, _, context) =>
        isRiderThemself(context, rider) ? rider.locationUpdatedAt : null,
    },

    Order: {
      __resolveReference: ({ id }) => ({ id }),
      delivery: async ({ id }, _, context) =>
        readableOrNull(await context.loaders.deliveryByOrder.load(id), context),
    },
  };
}

/** A rider's whereabouts are for the rider and for administrators only. */
function isRiderThemself({ viewer }: DeliveryContext, rider: Rider): boolean {
  return viewer?.role === 'ADMIN' || (viewer?.role === 'RIDER' && viewer.id === rider.id);
}
