import { readFileSync } from 'node:fs';

/** The four subgraphs and the port each listens on by default. */
export const subgraphs = {
  order: 4001,
  payment: 4002,
  kitchen: 4003,
  delivery: 4004,
} as const;
export type SubgraphName = keyof typeof subgraphs;

const schemaFile = (file: string) => new URL(`../${file}`, import.meta.url);

/** A subgraph's SDL, from `schema/<name>.graphql`. */
export function readSubgraphSdl(name: SubgraphName): string {
  return readFileSync(schemaFile(`${name}.graphql`), 'utf8');
}

/** The composed supergraph, from `schema/supergraph.graphql` (`npm run compose` writes it). */
export function readSupergraphSdl(): string {
  return readFileSync(schemaFile('supergraph.graphql'), 'utf8');
}

export const supergraphPath = schemaFile('supergraph.graphql');

/**
 * The API schema, from `schema/api.graphql` (`npm run compose` writes it): the supergraph as
 * clients see it, for their code generators.
 */
export function readApiSdl(): string {
  return readFileSync(schemaFile('api.graphql'), 'utf8');
}

export const apiSchemaPath = schemaFile('api.graphql');
