import { distanceKm, ForbiddenError } from '@baedal/domain';
import {
  type ConnectionArgs,
  dateTimeScalar,
  type Resolvers,
  requireRole,
  roundKm,
} from '@baedal/service-kit';
import type { DeliveryContext } from './context.js';
import type { Db } from './db.js';
import { canSeeDelivery, isPartyTo } from './deliveries/delivery.access.js';
import type { DeliveryState } from './deliveries/delivery.aggregate.js';
import type { DeliveryCommands } from './deliveries/delivery.commands.js';
import {
  availableDeliveries,
  dropoffOf,
  pickupOf,
  riderDeliveries,
} from './deliveries/delivery.queries.js';
import type { Delivery, DeliveryStatus, Rider } from './generated/prisma/client.js';
import { riderLocation } from './riders/rider-profile.js';
import type { UpdateRiderLocationInput } from './riders/update-rider-location.command.js';

export interface DeliveryUseCases {
  readonly db: Db;
  readonly dispatchRadiusKm: number;
  readonly deliveries: DeliveryCommands;
  readonly updateRiderLocation: (
    viewer: DeliveryContext['viewer'],
    input: UpdateRiderLocationInput,
  ) => Promise<Rider>;
}

export function createResolvers({
  db,
  dispatchRadiusKm,
  deliveries,
  updateRiderLocation,
}: DeliveryUseCases): Resolvers<DeliveryContext> {
  /** Mutations answer with the delivery as a reader would load it. */
  const deliveryPayload = async (state: DeliveryState, context: DeliveryContext) => ({
    delivery: await context.loaders.delivery.clear(state.id).load(state.id),
  });

  /** The delivery if the viewer may see it; null if it does not exist or they may not. */
  const visibleDelivery = async (id: string, context: DeliveryContext) => {
    const delivery = await context.loaders.delivery.load(id);
    return delivery && canSeeDelivery(context.viewer, delivery) ? delivery : null;
  };

  return {
    DateTime: dateTimeScalar,

    Query: {
      availableDeliveries: async (_: unknown, args: ConnectionArgs, context: DeliveryContext) => {
        const rider = requireRole(context.viewer, 'RIDER');
        return availableDeliveries(
          db,
          await context.loaders.rider.load(rider.id),
          dispatchRadiusKm,
          args,
        );
      },
      delivery: async (_: unknown, { id }: { id: string }, context: DeliveryContext) => {
        const viewer = requireRole(context.viewer);
        const delivery = await context.loaders.delivery.load(id);
        if (delivery && !canSeeDelivery(viewer, delivery)) {
          throw new ForbiddenError('This delivery is not yours to see.');
        }
        return delivery;
      },
      myDeliveries: (
        _: unknown,
        args: { status?: DeliveryStatus[] | null } & ConnectionArgs,
        context: DeliveryContext,
      ) => riderDeliveries(db, requireRole(context.viewer, 'RIDER').id, args),
      riderProfile: (_: unknown, __: unknown, context: DeliveryContext) =>
        context.loaders.rider.load(requireRole(context.viewer, 'RIDER').id),
    },

    Mutation: {
      updateRiderLocation: async (
        _: unknown,
        { input }: { input: UpdateRiderLocationInput },
        context: DeliveryContext,
      ) => ({ rider: await updateRiderLocation(context.viewer, input) }),
      claimDelivery: async (
        _: unknown,
        { input }: { input: { deliveryId: string } },
        context: DeliveryContext,
      ) => deliveryPayload(await deliveries.claim(context.viewer, input.deliveryId), context),
      pickUpDelivery: async (
        _: unknown,
        { input }: { input: { deliveryId: string } },
        context: DeliveryContext,
      ) => deliveryPayload(await deliveries.pickUp(context.viewer, input.deliveryId), context),
    },

    Delivery: {
      __resolveReference: ({ id }: { id: string }, context: DeliveryContext) =>
        visibleDelivery(id, context),
      // Riders browsing offers learn which order it is, and where it goes, once they claim it.
      order: (delivery: Delivery, _: unknown, context: DeliveryContext) =>
        isPartyTo(context.viewer, delivery) ? { id: delivery.orderId } : null,
      store: (delivery: Delivery) => ({ id: delivery.storeId }),
      pickup: (delivery: Delivery) => ({
        name: delivery.pickupName,
        address: delivery.pickupAddress,
        location: pickupOf(delivery),
      }),
      dropoff: (delivery: Delivery, _: unknown, context: DeliveryContext) =>
        isPartyTo(context.viewer, delivery)
          ? { name: null, address: delivery.dropoffAddress, location: dropoffOf(delivery) }
          : null,
      distanceKm: (delivery: Delivery) =>
        roundKm(distanceKm(pickupOf(delivery), dropoffOf(delivery))),
      rider: (delivery: Delivery, _: unknown, context: DeliveryContext) =>
        delivery.riderId ? context.loaders.rider.load(delivery.riderId) : null,
    },

    Rider: {
      __resolveReference: ({ id }: { id: string }, context: DeliveryContext) =>
        context.loaders.rider.load(id),
      location: (rider: Rider, _: unknown, context: DeliveryContext) =>
        isRiderThemself(context, rider) ? riderLocation(rider) : null,
      locationUpdatedAt: (rider: Rider, _: unknown, context: DeliveryContext) =>
        isRiderThemself(context, rider) ? rider.locationUpdatedAt : null,
    },

    Order: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      delivery: async ({ id }: { id: string }, _: unknown, context: DeliveryContext) => {
        const delivery = await context.loaders.deliveryByOrder.load(id);
        return delivery && isPartyTo(context.viewer, delivery) ? delivery : null;
      },
    },
  };
}

/** A rider's whereabouts are for the rider and for administrators only. */
function isRiderThemself({ viewer }: DeliveryContext, rider: Rider): boolean {
  return viewer?.role === 'ADMIN' || (viewer?.role === 'RIDER' && viewer.id === rider.id);
}
