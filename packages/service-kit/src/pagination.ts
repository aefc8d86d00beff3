import { BadUserInputError, isUuid } from '@baedal/domain';

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

/**
 * Decodes a time cursor, refusing with `BAD_USER_INPUT` on `after` anything `timeCursor` did
 * not make: the id must be a UUID (the lists it pages have UUID keys) and the time's year
 * from 1 to 9999, so that a forged cursor never reaches the database as a value it refuses.
 */
export function decodeTimeCursor(after: string): TimeCursor {
  const { at, id } = decodeCursor(
    after,
    (value): value is { at: string; id: string } =>
      typeof (value as { at?: unknown })?.at === 'string' &&
      typeof (value as { id?: unknown })?.id === 'string' &&
      isUuid((value as { id: string }).id) &&
      hasFourDigitYear(new Date((value as { at: string }).at)),
  );
  return { at: new Date(at), id };
}

/** The `where` that `afterTimeCursor` returns, typed so that Prisma's `where` accepts it. */
export type AfterTimeCursor<Time extends string, Id extends string> = {
  OR: [Record<Time, { lt: Date }>, Record<Time, Date> & Record<Id, { lt: string }>];
};

/**
 * The rows after `after` in a list ordered newest first by `timeField`, then by `idField`
 * (`orderBy: [{ [timeField]: 'desc' }, { [idField]: 'desc' }]`), as a `where` to spread into
 * the query's: older rows, and rows of the same time with a smaller id.
 */
export function afterTimeCursor<Time extends string, Id extends string>(
  after: TimeCursor,
  timeField: Time,
  idField: Id,
): AfterTimeCursor<Time, Id> {
  return {
    OR: [
      { [timeField]: { lt: after.at } } as Record<Time, { lt: Date }>,
      { [timeField]: after.at, [idField]: { lt: after.id } } as Record<Time, Date> &
        Record<Id, { lt: string }>,
    ],
  };
}

const hasFourDigitYear = (date: Date): boolean => {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
};

/**
 * The cursor of an event in a feed numbered 1, 2, 3 ... (an order's status feed). The router
 * builds these too, to ask for what follows an event it has delivered.
 */
export const sequenceCursor = (seq: number): string => encodeCursor({ seq });

/** Decodes a `sequenceCursor`, refusing anything else with `BAD_USER_INPUT` on `after`. */
export function decodeSequenceCursor(cursor: string): number {
  try {
    return decodeCursor(
      cursor,
      (value): value is { seq: number } =>
        Number.isInteger((value as { seq?: unknown })?.seq) && (value as { seq: number }).seq >= 0,
    ).seq;
  } catch {
    throw new BadUserInputError('after', 'is not a cursor of this feed.');
  }
}
