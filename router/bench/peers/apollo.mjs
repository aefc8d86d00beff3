// Plain @apollo/gateway in @apollo/server's standalone server, with its defaults: the peer the
// gateway benchmark compares the router with. Runs from the benchmark's scratch folder.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const headers = JSON.parse(process.env.PEER_HEADERS);

class WithIdentity extends RemoteGraphQLDataSource {
  willSendRequest({ request }) {
    for (const [name, value] of Object.entries(headers[this.name])) {
      request.http.headers.set(name, value);
    }
  }
}

const server = new ApolloServer({
  gateway: new ApolloGateway({
    supergraphSdl: readFileSync(process.env.PEER_SUPERGRAPH, 'utf8'),
    buildService: ({ name, url }) => new WithIdentity({ name, url }),
  }),
});
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
process.send({ url });
