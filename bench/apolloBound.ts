/**
 * The Apollo bound: the floor's upstream side and event cache (floor.ts)
 * answering `event(id)` through Apollo Server 5, the server this gateway is
 * built on, with nothing else: a schema of `Query.event` and the fields the
 * bench selects, no resolvers but the one that returns the floor's object
 * (default property reads for the fields), no authentication, limits, cost
 * estimate, plugins, data sources or custom scalar (`DateTime` is passed
 * through as the string it already is). Its HTTP side is the gateway's: plain
 * `node:http` around `executeHTTPGraphQLRequest`.
 *
 * So it is the least CPU any gateway on Apollo Server spends on an
 * `event(id)` answered from memory: what issue 14's goal for `event(id)`
 * (0.5 × the floor's throughput, 2 × its CPU) asks of this gateway, measured
 * on Apollo alone (bench/eventByIdBound.ts). With `jit`, execution goes
 * through the gateway's own graphql-jit executor (src/server/jitGateway.ts),
 * as the gateway runs it; without, graphql-js, Apollo's default.
 */
import type http from 'node:http';

import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSchema } from 'graphql';

import { jitGateway } from '../src/server/jitGateway';

/** The fields of the bench's `event(id)` (scenarios.ts COMMON_SELECTION), typed as schema/events.graphql types them. */
const TYPE_DEFS = /* GraphQL */ `
  scalar DateTime
  type EventType {
    name: String!
  }
  type Event {
    id: ID!
    createdAt: DateTime
    accountId: ID!
    eventTypeId: ID!
    eventType: EventType
    userId: ID
    userName: String
    actorUserId: ID
    actorUserName: String
    appId: ID
    appName: String
    ipAddress: String
    notes: String
  }
  type Query {
    event(id: ID!): Event
  }
`;

export interface ApolloAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Answers one GraphQL request over HTTP (its method, headers and parsed body). */
export type ApolloAnswerer = (req: http.IncomingMessage, body: unknown) => Promise<ApolloAnswer>;

export async function startApolloBound(options: {
  jit: boolean;
  /** The floor's answer for `event(id)`: the object of the selected fields, or null. */
  event: (id: string) => Promise<Record<string, unknown> | null>;
}): Promise<{ answer: ApolloAnswerer; stop(): Promise<void> }> {
  // A scalar of an SDL-built schema serialises a value as it is; the one resolver is
  // set on the field itself (graphql-jit, unlike graphql-js, takes no root value).
  const schema = buildSchema(TYPE_DEFS);
  const event = schema.getQueryType()?.getFields()['event'];
  if (!event) throw new Error('the Apollo bound has no Query.event');
  event.resolve = (_parent, args: { id?: unknown }) => options.event(String(args.id));
  const apollo = new ApolloServer({
    ...(options.jit ? { gateway: jitGateway(schema, { maxOperations: 100 }) } : { schema }),
    nodeEnv: 'production',
    introspection: false,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  const answer: ApolloAnswerer = async (req, body) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body },
      context: async () => ({}),
    });
    if (response.body.kind !== 'complete') throw new Error('the Apollo bound streams nothing');
    return {
      status: response.status ?? 200,
      headers: [...response.headers],
      body: response.body.string,
    };
  };
  return { answer, stop: () => apollo.stop() };
}
