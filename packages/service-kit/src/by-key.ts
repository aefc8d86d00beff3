/**
 * A DataLoader batch's answer: for each key, in the keys' order, the row whose `keyOf` it is,
 * or null when no row has it (DataLoader requires exactly one value per key).
 */
export function byKey<T>(
  keys: readonly string[],
  rows: readonly T[],
  keyOf: (row: T) => string,
): (T | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}
