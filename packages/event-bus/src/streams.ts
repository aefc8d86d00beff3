/** The Redis stream a subgraph publishes its events to. */
export function eventStream(prefix: string, producer: string): string {
  return `${prefix}:events:${producer}`;
}

/**
 * The stream `npm run events -- replay` sends a consumer group's dead letters back through;
 * the group's consumers read it beside the producers' streams.
 */
export function replayStream(prefix: string, group: string): string {
  return `${prefix}:replay:${group}`;
}

/** The fields of a stream entry: the type (to skip unwanted events cheaply) and the envelope. */
export function streamFields(type: string, envelope: unknown): string[] {
  return [
    'type',
    type,
    'envelope',
    typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
  ];
}

/** The value of one field of a stream entry (`fields` alternates names and values), if present. */
export function streamField(fields: readonly string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Redis replies such as XINFO's are flat [name, value, name, value ...] lists. */
export function replyRecord(flat: readonly unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < flat.length - 1; i += 2) result[String(flat[i])] = flat[i + 1];
  return result;
}

/**
 * Stream entry ids are `<milliseconds>-<sequence>`, both unsigned 64-bit, ordered by the
 * pair; as strings they do not sort.
 */
export function compareEntryIds(a: string, b: string): number {
  const [aMs, aSeq] = entryIdParts(a);
  const [bMs, bSeq] = entryIdParts(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

/** The smallest entry id greater than `id`. */
export function nextEntryId(id: string): string {
  const [ms, seq] = entryIdParts(id);
  return `${ms}-${seq + 1n}`;
}

/** The time an entry id records (Redis' clock when the entry was added), in ms since 1970. */
export function entryIdTime(id: string): number {
  return Number(entryIdParts(id)[0]);
}

function entryIdParts(id: string): [bigint, bigint] {
  const [ms = '0', seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
}
