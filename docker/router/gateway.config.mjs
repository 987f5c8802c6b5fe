// Hive Gateway as the company's router in docker-compose.yml. It composes the
// supergraph itself at start-up from the subgraphs' `_service { sdl }` (Hive
// Gateway's "dev" supergraph source, with @theguild/federation-composition),
// and polls them again every POLLING interval (10 s by default). A real
// deployment would serve a supergraph published to a schema registry instead.
import { defineConfig } from '@graphql-hive/gateway';

const EVENTS_SUBGRAPH = 'onelogin-events';

export const gatewayConfig = defineConfig({
  supergraph: {
    type: 'dev',
    services: [
      {
        name: EVENTS_SUBGRAPH,
        url: process.env.EVENTS_SUBGRAPH_URL ?? 'http://gateway:4000/graphql',
      },
      { name: 'users', url: process.env.USERS_SUBGRAPH_URL ?? 'http://users:4001/graphql' },
    ],
  },
  // The client's token goes to the events gateway only; the users subgraph needs none.
  propagateHeaders: {
    fromClientToSubgraphs({ request, subgraphName }) {
      const authorization = request.headers.get('authorization');
      return subgraphName === EVENTS_SUBGRAPH && authorization ? { authorization } : undefined;
    },
  },
});
