// Hive Gateway's runtime on Node's HTTP server, with its defaults (PEER_DEDUPLICATE=false
// turns off its deduplication of in-flight subgraph requests): a peer the gateway benchmark
// compares the router with. Runs from the benchmark's scratch folder.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';

const headers = JSON.parse(process.env.PEER_HEADERS);

const gateway = createGatewayRuntime({
  supergraph: readFileSync(process.env.PEER_SUPERGRAPH, 'utf8'),
  logging: false,
  propagateHeaders: { fromClientToSubgraphs: ({ subgraphName }) => headers[subgraphName] },
  ...(process.env.PEER_DEDUPLICATE === 'false' && {
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
  }),
});
const server = createServer(gateway);
server.listen(0, '127.0.0.1', () => {
  process.send({ url: `http://127.0.0.1:${server.address().port}/graphql` });
});
