/**
 * The `apollo-rest` peer: OneLogin's events behind Apollo Server, written the
 * way Apollo's documentation writes a REST-backed graph, and no further: a
 * RESTDataSource subclass for the upstream with `willSendRequest` adding the
 * token, created per request in the context function; a DataLoader for event
 * types by id; resolvers that rename OneLogin's snake_case fields; cursor
 * paging that passes OneLogin's `after_cursor` through. Nothing tuned
 * (no persisted operations, no JIT, no response cache), nothing crippled
 * (the event-type catalogue is cached for a day, as OneLogin's docs advise,
 * through RESTDataSource's own `cacheOptions`).
 *
 * Run as a child process by the bench (through tsx, like bench/floor.ts), with
 * ONELOGIN_BASE_URL, ONELOGIN_TOKEN (a bearer token from the OAuth endpoint)
 * and PORT; reports its URL over IPC.
 */
import type { AugmentedRequest, DataSourceConfig } from '@apollo/datasource-rest';
import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import DataLoader from 'dataloader';

/** One event as OneLogin sends it. */
type OneLoginEvent = Record<string, unknown> & { id: number };

interface OneLoginEventType {
  id: number;
  name: string;
  description: string | null;
}

interface EventsPage {
  data: OneLoginEvent[];
  pagination: { after_cursor: string | null; before_cursor: string | null };
}

/** The schema: the bench's `events` and `event` fields, with OneLogin's plain event fields. */
export const TYPE_DEFS = `#graphql
  type Query {
    events(first: Int!, after: String): EventConnection!
    event(id: ID!): Event
  }

  type EventConnection {
    nodes: [Event!]!
    pageInfo: PageInfo!
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type EventType {
    id: ID!
    name: String!
    description: String
  }

  type Event {
    id: ID!
    createdAt: String
    accountId: ID
    eventTypeId: ID
    eventType: EventType
    userId: ID
    userName: String
    actorUserId: ID
    actorUserName: String
    actorSystem: String
    assumingActingUserId: ID
    notes: String
    ipAddress: String
    proxyIpAddress: String
    roleId: ID
    roleName: String
    appId: ID
    appName: String
    groupId: ID
    groupName: String
    otpDeviceId: ID
    otpDeviceName: String
    policyId: ID
    policyName: String
    customMessage: String
    operationName: String
    directorySyncRunId: ID
    directoryId: ID
    resolution: String
    clientId: String
    resourceTypeId: ID
    errorDescription: String
    riskScore: Int
    riskReasons: String
    riskCookieId: String
    browserFingerprint: String
  }
`;

/** Each camelCase `Event` field and the OneLogin field it comes from (`eventType` aside). */
export const APOLLO_REST_FIELDS: Readonly<Record<string, string>> = {
  id: 'id',
  createdAt: 'created_at',
  accountId: 'account_id',
  eventTypeId: 'event_type_id',
  userId: 'user_id',
  userName: 'user_name',
  actorUserId: 'actor_user_id',
  actorUserName: 'actor_user_name',
  actorSystem: 'actor_system',
  assumingActingUserId: 'assuming_acting_user_id',
  notes: 'notes',
  ipAddress: 'ipaddr',
  proxyIpAddress: 'proxy_ip',
  roleId: 'role_id',
  roleName: 'role_name',
  appId: 'app_id',
  appName: 'app_name',
  groupId: 'group_id',
  groupName: 'group_name',
  otpDeviceId: 'otp_device_id',
  otpDeviceName: 'otp_device_name',
  policyId: 'policy_id',
  policyName: 'policy_name',
  customMessage: 'custom_message',
  operationName: 'operation_name',
  directorySyncRunId: 'directory_sync_run_id',
  directoryId: 'directory_id',
  resolution: 'resolution',
  clientId: 'client_id',
  resourceTypeId: 'resource_type_id',
  errorDescription: 'error_description',
  riskScore: 'risk_score',
  riskReasons: 'risk_reasons',
  riskCookieId: 'risk_cookie_id',
  browserFingerprint: 'browser_fingerprint',
};

/** OneLogin returns at most 50 events per page. */
const PAGE_SIZE = 50;

class OneLoginAPI extends RESTDataSource {
  private readonly token: string;

  constructor(options: DataSourceConfig & { baseURL: string; token: string }) {
    super(options);
    this.baseURL = options.baseURL;
    this.token = options.token;
  }

  override willSendRequest(_path: string, request: AugmentedRequest) {
    request.headers['authorization'] = `Bearer ${this.token}`;
  }

  async getEvents(limit: number, after: string | null): Promise<EventsPage> {
    return this.get<EventsPage>('api/1/events', {
      params: {
        limit: String(limit),
        sort: '-created_at',
        ...(after ? { after_cursor: after } : {}),
      },
    });
  }

  async getEvent(id: string): Promise<OneLoginEvent | null> {
    const body = await this.get<{ data: OneLoginEvent[] }>(
      `api/1/events/${encodeURIComponent(id)}`,
    );
    return body.data[0] ?? null;
  }

  /** The catalogue changes rarely: OneLogin says to cache it for up to 24 h. */
  private async getEventTypes(): Promise<OneLoginEventType[]> {
    const body = await this.get<{ data: OneLoginEventType[] }>('api/1/events/types', {
      cacheOptions: { ttl: 24 * 60 * 60 },
    });
    return body.data;
  }

  eventTypeLoader = new DataLoader<string, OneLoginEventType | null>(async (ids) => {
    const types = await this.getEventTypes();
    const byId = new Map(types.map((type) => [String(type.id), type]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

interface ContextValue {
  dataSources: { oneLogin: OneLoginAPI };
}

const fieldResolvers = Object.fromEntries(
  Object.entries(APOLLO_REST_FIELDS).map(([field, source]) => [
    field,
    (event: OneLoginEvent) => event[source],
  ]),
);

export const resolvers = {
  Query: {
    events: async (
      _parent: unknown,
      { first, after }: { first: number; after?: string | null },
      { dataSources }: ContextValue,
    ) => {
      const nodes: OneLoginEvent[] = [];
      let cursor = after ?? null;
      while (nodes.length < first) {
        const page = await dataSources.oneLogin.getEvents(
          Math.min(PAGE_SIZE, first - nodes.length),
          cursor,
        );
        nodes.push(...page.data);
        cursor = page.pagination.after_cursor;
        if (!cursor || page.data.length === 0) break;
      }
      return { nodes, pageInfo: { hasNextPage: cursor !== null, endCursor: cursor } };
    },
    event: (_parent: unknown, { id }: { id: string }, { dataSources }: ContextValue) =>
      dataSources.oneLogin.getEvent(id),
  },
  Event: {
    ...fieldResolvers,
    eventType: (event: OneLoginEvent, _args: unknown, { dataSources }: ContextValue) =>
      dataSources.oneLogin.eventTypeLoader.load(String(event['event_type_id'])),
  },
};

async function main(): Promise<void> {
  const baseURL = process.env['ONELOGIN_BASE_URL'];
  const token = process.env['ONELOGIN_TOKEN'];
  if (!baseURL || !token) throw new Error('ONELOGIN_BASE_URL and ONELOGIN_TOKEN are required');
  const server = new ApolloServer<ContextValue>({ typeDefs: TYPE_DEFS, resolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) },
    context: async () => {
      const { cache } = server;
      return { dataSources: { oneLogin: new OneLoginAPI({ cache, baseURL, token }) } };
    },
  });
  const stop = () => {
    void server.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', url });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`apollo-rest failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
