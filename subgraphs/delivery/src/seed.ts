import { riders } from '@baedal/demo-data';
import type { Db } from './db.js';

/**
 * Creates the demo riders that do not exist yet, each where the demo data places them.
 * Riders that exist are left alone, so a restart never moves a rider back.
 */
export async function seedDelivery(db: Db): Promise<void> {
  const now = new Date();
  await db.rider.createMany({
    data: riders.map(({ id, name, vehicle, lat, lng }) => ({
      id,
      name,
      vehicle,
      lat,
      lng,
      locationUpdatedAt: now,
    })),
    skipDuplicates: true,
  });
}
