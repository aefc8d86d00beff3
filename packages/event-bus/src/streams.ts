/** The Redis stream a subgraph publishes its events to. */
export function eventStream(prefix: string, producer: string): string {
  return `${prefix}:events:${producer}`;
}

/** Where a consumer group parks the events it could not apply. */
export function deadLetterStream(prefix: string, group: string): string {
  return `${prefix}:dead-letter:${group}`;
}

/** The fields of a stream entry: the type (to skip unwanted events cheaply) and the envelope. */
export function streamFields(type: string, envelope: unknown): string[] {
  return ['type', type, 'envelope', JSON.stringify(envelope)];
}

/** The value of one field of a stream entry (`fields` alternates names and values), if present. */
export function streamField(fields: readonly string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
