// The company's users subgraph, as a platform team would run one beside the
// gateway: a stand-in for docker-compose.yml, not part of the gateway image.
// Its schema is the one test/federation/startUsersSubgraph.ts composes with in
// the tests. It has no directory of its own: any numeric OneLogin user id is a
// user, with a name and an address made from the id.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const typeDefs = parse(`#graphql
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "A user of the company by OneLogin user id."
    user(id: ID!): User
  }

  "A person in the company directory."
  type User @key(fields: "id") {
    id: ID!
    name: String!
    email: String!
  }
`);

/** The directory entry of a OneLogin user id, or null when it is not one. */
function findUser(id) {
  if (!/^[0-9]{1,18}$/.test(id)) return null;
  return { id, name: `Company user ${id}`, email: `user${id}@example.com` };
}

const server = new ApolloServer({
  schema: buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: { user: (_parent, { id }) => findUser(id) },
      User: { __resolveReference: (reference) => findUser(reference.id) },
    },
  }),
});
const port = Number(process.env.PORT ?? 4001);
const { url } = await startStandaloneServer(server, { listen: { port, host: '0.0.0.0' } });
console.log(`users subgraph at ${url}`);

// Docker sends SIGTERM on stop: finish in-flight requests, then exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
