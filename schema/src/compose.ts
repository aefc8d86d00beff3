import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { readSubgraphSdl, type SubgraphName, subgraphs } from './index.js';

/**
 * Composes the four subgraph SDLs into the supergraph with Apollo's composition library.
 * Routing URLs are the local defaults; the router replaces them with its configuration.
 */
export function composeSupergraph(): { supergraphSdl: string; hints: string[] } {
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
    hints: result.hints.map((hint) => hint.toString()),
  };
}
