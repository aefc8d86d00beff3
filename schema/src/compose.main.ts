/** `npm run compose`: recomposes `schema/supergraph.graphql` from the subgraph SDLs. */
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from './compose.js';
import { supergraphPath } from './index.js';

try {
  const { supergraphSdl, hints } = composeSupergraph();
  for (const hint of hints) console.warn(`hint: ${hint}`);
  writeFileSync(supergraphPath, supergraphSdl);
  console.log('Wrote schema/supergraph.graphql');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
