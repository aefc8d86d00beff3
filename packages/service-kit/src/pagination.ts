import { BadUserInputError } from '@baedal/domain';

/** Relay's connection arguments (forward pagination). */
export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface Connection<T> {
  readonly edges: { readonly cursor: string; readonly node: T }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

const defaultPageSize = 20;
const maxPageSize = 100;

/** The requested page size, 1..100 (20 when not given). */
export function pageSize(args: ConnectionArgs): number {
  const first = args.first ?? defaultPageSize;
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw new BadUserInputError('first', `must be from 1 to ${maxPageSize}.`);
  }
  return first;
}

/** Cursors are opaque to clients: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes `after`, refusing a cursor this server did not issue. */
export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {}
  throw new BadUserInputError('after', 'is not a cursor from this list.');
}

/**
 * A page from rows fetched with `take: size + 1`: the extra row only says there is a
 * next page.
 */
export function toConnection<T>(
  rows: readonly T[],
  size: number,
  cursorOf: (row: T) => unknown,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** The cursor of a list ordered newest first: the row's time, then its id to break ties. */
export interface TimeCursor {
  readonly at: Date;
  readonly id: string;
}

export const timeCursor = (at: Date, id: string) => ({ at: at.toISOString(), id });

export function decodeTimeCursor(after: string): TimeCursor {
  const { at, id } = decodeCursor(
    after,
    (value): value is { at: string; id: string } =>
      typeof (value as { at?: unknown })?.at === 'string' &&
      typeof (value as { id?: unknown })?.id === 'string' &&
      !Number.isNaN(Date.parse((value as { at: string }).at)),
  );
  return { at: new Date(at), id };
}
