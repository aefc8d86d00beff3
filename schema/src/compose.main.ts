/**
 * `npm run compose`: recomposes `schema/supergraph.graphql` and its API schema,
 * `schema/api.graphql`, from the subgraph SDLs.
 */
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from './compose.js';
import { apiSchemaPath, supergraphPath } from './index.js';

try {
  const { supergraphSdl, apiSdl, hints } = composeSupergraph();
  for (const hint of hints) console.warn(`hint: ${hint}`);
  writeFileSync(supergraphPath, supergraphSdl);
  writeFileSync(apiSchemaPath, apiSdl);
  console.log('Wrote schema/supergraph.graphql and schema/api.graphql');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
