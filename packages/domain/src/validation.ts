import { BadUserInputError } from './errors.js';

/** Trimmed text of 1..maxLength characters, or a `BAD_USER_INPUT` naming the field. */
export function requireText(value: string, field: string, maxLength: number): string {
  const text = value.trim();
  if (text.length === 0) throw new BadUserInputError(field, 'must not be empty.');
  if (text.length > maxLength) {
    throw new BadUserInputError(field, `must be at most ${maxLength} characters.`);
  }
  return text;
}

/** An integer within [min, max], or a `BAD_USER_INPUT` naming the field. */
export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(field, `must be an integer from ${min} to ${max}.`);
  }
  return value;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` is a UUID. Orders, payments and deliveries have UUID keys, and PostgreSQL
 * refuses any other text for such a column, so lookups answer other ids as unknown
 * without asking the database.
 */
export const isUuid = (id: string): boolean => uuidPattern.test(id);
