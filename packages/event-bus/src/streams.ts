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
