import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { readSubgraphSdl, type SubgraphName, subgraphs } from './index.js';

/**
 * Composes the four subgraph SDLs into the supergraph with Apollo's composition library.
 * Routing URLs are the local defaults; the router replaces them with its configuration.
 * `apiSdl` is the supergraph's API schema, built from the supergraph as `@apollo/gateway`
 * builds the one the router serves: what clients see, without the `join__` and `link__`
 * directives and the federation internals the router plans with.
 */
export function composeSupergraph(): { supergraphSdl: string; apiSdl: string; hints: string[] } {
  const result = composeServices(
    Object.entries(subgraphs).map(([name, port]) => ({
      name,
      url: `http://127.0.0.1:${port}/graphql`,
      typeDefs: parse(readSubgraphSdl(name as SubgraphName)),
    })),
  );
  if (result.errors) {
    throw new Error(
      `Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`,
    );
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSdl: printSchema(Supergraph.build(result.supergraphSdl).apiSchema()),
    hints: result.hints.map((hint) => hint.toString()),
  };
}
