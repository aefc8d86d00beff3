import { BadUserInputError } from './errors.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacter = /[\u0000-\u001f\u007f]/;

/**
 * Whether `text` holds a C0 control character (U+0000..U+001F, line breaks and tabs
 * included) or DEL. PostgreSQL refuses U+0000 in text, and no single-line value (a name,
 * an address, an id) has any of them.
 */
const hasControlCharacter = (text: string): boolean => controlCharacter.test(text);

/**
 * Trimmed single-line text of 1..maxLength characters, or a `BAD_USER_INPUT` naming the
 * field (also for control characters, which would otherwise reach the database).
 */
export function requireText(value: string, field: string, maxLength: number): string {
  const text = value.trim();
  if (text.length === 0) throw new BadUserInputError(field, 'must not be empty.');
  if (text.length > maxLength) {
    throw new BadUserInputError(field, `must be at most ${maxLength} characters.`);
  }
  if (hasControlCharacter(text)) {
    throw new BadUserInputError(field, 'must be one line without control characters.');
  }
  return text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacterButLineBreakOrTab = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * Trimmed free text of up to `maxLength` characters, possibly empty, with line breaks and
 * tabs allowed (a description), or a `BAD_USER_INPUT` naming the field.
 */
export function requireParagraph(value: string, field: string, maxLength: number): string {
  const text = value.trim();
  if (text.length > maxLength) {
    throw new BadUserInputError(field, `must be at most ${maxLength} characters.`);
  }
  if (controlCharacterButLineBreakOrTab.test(text)) {
    throw new BadUserInputError(field, 'must not contain control characters.');
  }
  return text;
}

/** The longest id of a store, menu item or person, as the event contracts allow. */
export const maxIdLength = 100;

/**
 * Whether a client-given id can name anything: 1..100 characters without control characters.
 * Lookups by text key answer any other id as unknown without asking the database, which
 * would refuse a NUL byte with an error instead.
 */
export const isCleanId = (id: string): boolean =>
  id.length >= 1 && id.length <= maxIdLength && !hasControlCharacter(id);

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
