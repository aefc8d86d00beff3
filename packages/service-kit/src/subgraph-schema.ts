import { buildSubgraphSchema } from '@apollo/subgraph';
// @apollo/subgraph does not re-export its resolver map type from its entry point.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { type GraphQLSchema, parse } from 'graphql';

/**
 * The executable schema of a subgraph: its SDL (see `@baedal/schema`) and its resolvers.
 * A subgraph types its resolvers with the `Resolvers` generated from its SDL
 * (`schema.generated.ts`, `npm run codegen`), which checks every resolver against its field.
 * `@apollo/subgraph`'s own resolver map describes the same object more loosely, and the two
 * types do not fit one another (optional fields, `__resolveReference`'s own signature), so the
 * resolvers are handed over as its map here.
 */
export function buildSubgraph(sdl: string, resolvers: object): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(sdl),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
}
