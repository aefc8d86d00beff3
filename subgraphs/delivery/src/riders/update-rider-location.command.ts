import { assertCoordinates, type Coordinates, ForbiddenError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';
import { requirePerson, type UseCase } from '@baedal/service-kit';
import type { Db } from '../db.js';
import { Prisma, type Rider } from '../generated/prisma/client.js';

export interface UpdateRiderLocationInput {
  readonly location: Coordinates;
}

/**
 * Records where the signed-in rider is now; deliveries are offered, and may be claimed,
 * around this location. Refuses coordinates off the globe (`BAD_USER_INPUT`), anyone but a
 * rider (`FORBIDDEN`, administrators included: the location is the viewer's own) and
 * accounts without a rider profile (`FORBIDDEN`). One statement, no event: the rider is no
 * aggregate with rules to keep, and nobody else acts on a rider's position.
 */
export class UpdateRiderLocation implements UseCase<UpdateRiderLocationInput, Rider> {
  constructor(private readonly db: Db) {}

  async execute(viewer: Viewer | null, input: UpdateRiderLocationInput): Promise<Rider> {
    const actor = requirePerson(viewer, 'RIDER');
    const { lat, lng } = assertCoordinates(input.location, 'input.location');
    try {
      return await this.db.rider.update({
        where: { id: actor.id },
        data: { lat, lng, locationUpdatedAt: new Date() },
      });
    } catch (error) {
      if (isRecordNotFound(error)) throw new ForbiddenError('No rider profile for this account.');
      throw error;
    }
  }
}

function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}
