import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

import { createSilentLogger } from '../../src/logging/createLogger';

/** A user as the company's users subgraph knows it. */
export interface CompanyUser {
  id: string;
  name: string;
  email: string;
}

export const USERS_SUBGRAPH_SDL = `#graphql
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
`;

/**
 * A small users subgraph, as a platform team's company graph would have one,
 * for composing with the gateway in tests. Listens on a free port.
 */
export async function startUsersSubgraph(
  users: readonly CompanyUser[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const byId = new Map(users.map((user) => [user.id, user]));
  const server = new ApolloServer({
    logger: createSilentLogger(),
    schema: buildSubgraphSchema({
      typeDefs: parse(USERS_SUBGRAPH_SDL),
      resolvers: {
        Query: { user: (_parent: unknown, { id }: { id: string }) => byId.get(id) ?? null },
        User: { __resolveReference: (reference: { id: string }) => byId.get(reference.id) ?? null },
      },
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
