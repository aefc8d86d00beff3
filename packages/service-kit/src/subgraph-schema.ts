import { buildSubgraphSchema } from '@apollo/subgraph';
// @apollo/subgraph does not re-export its resolver map type from its entry point.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { type GraphQLSchema, parse } from 'graphql';

export type Resolvers<Context> = GraphQLResolverMap<Context>;

/** The executable schema of a subgraph: its SDL (see `@baedal/schema`) and its resolvers. */
export function buildSubgraph<Context>(sdl: string, resolvers: Resolvers<Context>): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as Resolvers<unknown> });
}
