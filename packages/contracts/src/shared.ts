import { maxIdLength } from '@baedal/domain';
import { z } from 'zod';

export const id = z.string().min(1).max(maxIdLength);
export const orderId = z.uuid();
export const won = z.number().int().nonnegative();

export const location = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

/** An address as text plus where it is. */
export const place = z.object({
  address: z.string().min(1),
  location,
});
