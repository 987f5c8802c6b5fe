import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import type { EventRecord, EventTypeRecord } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { userWithEvents } from '../helpers/testData';

/** Every field of `Event`, in schema order. */
const EVENT_FIELDS = `
  id createdAt accountId eventTypeId eventType { id name description placeholders } message
  userId userName actorUserId actorUserName actorSystem assumingActingUserId notes ipAddress proxyIpAddress
  roleId roleName appId appName groupId groupName otpDeviceId otpDeviceName policyId policyName customMessage
  operationName directorySyncRunId directoryId resolution clientId resourceTypeId errorDescription riskScore
  riskLevel riskReasons riskCookieId browserFingerprint adcId assumedBySuperadminOrReseller certificateId
  mappingId objectId privilegeId radiusConfigId serviceDirectoryId trustedIdpId userFieldId param policyType
  resolvedAt solved
`;

const idOrNull = (value: number | string | null) => (value === null ? null : String(value));
const textOrNull = (value: string | null) => (value === null || value === '' ? null : value);

/** The gateway's `Event` for a simulator record, written out independently of the resolvers. */
function expectedEvent(record: EventRecord, eventType: EventTypeRecord) {
  const score = record.risk_score;
  return {
    id: String(record.id),
    createdAt: record.created_at,
    accountId: String(record.account_id),
    eventTypeId: String(record.event_type_id),
    eventType: {
      id: String(eventType.id),
      name: eventType.name ?? `EVENT_TYPE_${eventType.id}`,
      description: eventType.description,
      placeholders: eventType.description
        ? [...new Set([...eventType.description.matchAll(/%(\w+)%/g)].map((m) => m[1]))]
        : [],
    },
    userId: idOrNull(record.user_id),
    userName: textOrNull(record.user_name),
    actorUserId: idOrNull(record.actor_user_id),
    actorUserName: textOrNull(record.actor_user_name),
    actorSystem: textOrNull(record.actor_system),
    assumingActingUserId: idOrNull(record.assuming_acting_user_id),
    notes: textOrNull(record.notes),
    ipAddress: textOrNull(record.ipaddr),
    proxyIpAddress: textOrNull(record.proxy_ip),
    roleId: idOrNull(record.role_id),
    roleName: textOrNull(record.role_name),
    appId: idOrNull(record.app_id),
    appName: textOrNull(record.app_name),
    groupId: idOrNull(record.group_id),
    groupName: textOrNull(record.group_name),
    otpDeviceId: idOrNull(record.otp_device_id),
    otpDeviceName: textOrNull(record.otp_device_name),
    policyId: idOrNull(record.policy_id),
    policyName: textOrNull(record.policy_name),
    customMessage: textOrNull(record.custom_message),
    operationName: textOrNull(record.operation_name),
    directorySyncRunId: idOrNull(record.directory_sync_run_id),
    directoryId: idOrNull(record.directory_id),
    resolution: textOrNull(record.resolution),
    clientId: textOrNull(record.client_id),
    resourceTypeId: idOrNull(record.resource_type_id),
    errorDescription: textOrNull(record.error_description),
    riskScore: score,
    riskLevel:
      score === null
        ? null
        : score <= 5
          ? 'NONE'
          : score <= 25
            ? 'LOW'
            : score <= 50
              ? 'MEDIUM'
              : 'HIGH',
    riskReasons: record.risk_reasons
      ? record.risk_reasons.split('\n').filter((line) => line.trim() !== '')
      : null,
    riskCookieId: textOrNull(record.risk_cookie_id),
    browserFingerprint: textOrNull(record.browser_fingerprint),
    // In OneLogin's OpenAPI description only; /api/1/events does not return them.
    adcId: null,
    assumedBySuperadminOrReseller: null,
    certificateId: null,
    mappingId: null,
    objectId: null,
    privilegeId: null,
    radiusConfigId: null,
    serviceDirectoryId: null,
    trustedIdpId: null,
    userFieldId: null,
    param: null,
    policyType: null,
    resolvedAt: null,
    solved: null,
  };
}

type Order = { field: 'CREATED_AT' | 'ID'; direction: 'ASC' | 'DESC' };

/** The simulator's events for a filter, in a connection order: an independent filter of its data set. */
function expectedIds(
  events: readonly EventRecord[],
  predicate: (event: EventRecord) => boolean,
  order: Order = { field: 'CREATED_AT', direction: 'DESC' },
): string[] {
  const sign = order.direction === 'ASC' ? 1 : -1;
  return events
    .filter(predicate)
    .sort((a, b) => {
      const byTime =
        order.field === 'CREATED_AT' ? Date.parse(a.created_at) - Date.parse(b.created_at) : 0;
      return sign * (byTime !== 0 ? byTime : a.id - b.id);
    })
    .map((event) => String(event.id));
}

interface Page {
  events: {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

const PAGE_QUERY = `#graphql
  query Page($filter: EventFilter, $orderBy: EventOrder, $first: Int, $after: String, $last: Int, $before: String) {
    events(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('Query.events', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  async function page(variables: Record<string, unknown>): Promise<Page['events']> {
    const result = await gateway.execute<Page>(PAGE_QUERY, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.events;
  }

  it('returns every field of every type for a page of logins', async () => {
    const result = await gateway.execute(`#graphql
      query { events(filter: { eventTypeIds: ["5"] }, first: 3) {
        edges { node { ${EVENT_FIELDS} } }
        nodes { id }
        pageInfo { hasNextPage hasPreviousPage }
      } }
    `);
    const logins = expectedIds(
      gateway.simulator.data.events(),
      (event) => event.event_type_id === 5,
    ).slice(0, 3);
    const type5 = gateway.simulator.data.eventTypes().find((type) => type.id === 5)!;
    const byId = new Map(gateway.simulator.data.events().map((event) => [String(event.id), event]));
    expect(result).toEqual({
      data: {
        events: {
          edges: logins.map((id) => {
            const record = byId.get(id)!;
            return {
              node: {
                ...expectedEvent(record, type5),
                message: `${record.user_name} logged into OneLogin`,
              },
            };
          }),
          nodes: logins.map((id) => ({ id })),
          pageInfo: { hasNextPage: true, hasPreviousPage: false },
        },
      },
      // The page, and the catalogue its types and messages need.
      extensions: cost(2, 2),
    });
  });

  it.each<[string, Record<string, unknown>, (event: EventRecord) => boolean, Order | undefined]>([
    ['no filter, newest first', {}, () => true, undefined],
    [
      'logins and failed logins',
      { eventTypeIds: ['5', '6'] },
      (e) => e.event_type_id === 5 || e.event_type_id === 6,
      undefined,
    ],
    ['everything, by id ascending', {}, () => true, { field: 'ID', direction: 'ASC' }],
  ])('walks every page forwards: %s', async (_name, filter, predicate, orderBy) => {
    const expected = expectedIds(gateway.simulator.data.events(), predicate, orderBy);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await page({ filter, orderBy, first: 97, after });
      seen.push(...result.edges.map((edge) => edge.node.id));
      pages += 1;
      expect(result.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 97)));
  });

  it('walks every page backwards from the end', async () => {
    const userId = userWithEvents(gateway.simulator.data.events(), 10);
    const predicate = (event: EventRecord) => event.user_id === userId;
    const expected = expectedIds(gateway.simulator.data.events(), predicate, {
      field: 'CREATED_AT',
      direction: 'ASC',
    });
    const seen: string[] = [];
    let before: string | null = null;
    for (;;) {
      const result = await page({
        filter: { userId: String(userId) },
        orderBy: { field: 'CREATED_AT', direction: 'ASC' },
        last: 3,
        before,
      });
      seen.unshift(...result.edges.map((edge) => edge.node.id));
      expect(result.pageInfo.hasNextPage).toBe(before !== null);
      if (!result.pageInfo.hasPreviousPage) break;
      before = result.pageInfo.startCursor;
    }
    expect(expected.length).toBeGreaterThan(3);
    expect(seen).toEqual(expected);
  });

  it('returns the last events of the whole list for `last` without `before`, with one upstream call', async () => {
    const result = await page({ last: 4 });
    expect(result.edges.map((edge) => edge.node.id)).toEqual(
      expectedIds(gateway.simulator.data.events(), () => true).slice(-4),
    );
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(gateway.upstreamCalls()['GET /api/1/events']).toBe(1);
  });

  it('resumes from any edge cursor with exactly the following events, in both directions', async () => {
    const all = expectedIds(gateway.simulator.data.events(), () => true);
    const first = await page({ first: 12 });
    for (const [index, edge] of first.edges.entries()) {
      const forwards = await page({ first: 5, after: edge.cursor });
      expect(forwards.edges.map((e) => e.node.id)).toEqual(all.slice(index + 1, index + 6));
      const backwards = await page({ last: 5, before: edge.cursor });
      expect(backwards.edges.map((e) => e.node.id)).toEqual(
        all.slice(Math.max(0, index - 5), index),
      );
    }
  });

  it('filters by time window at millisecond precision', async () => {
    const events = gateway.simulator.data.events();
    const since = events[100]!.created_at;
    const until = events[160]!.created_at;
    // The gateway's window is [since, until) at milliseconds, whatever OneLogin's own reading
    // (eventWindow.test.ts tries each).
    const expected = expectedIds(events, (e) => e.created_at >= since && e.created_at < until);
    const result = await page({ filter: { since, until }, first: 200 });
    expect(result.edges.map((edge) => edge.node.id)).toEqual(expected);
  });

  describe('upstream economy', () => {
    it('costs one events call and at most one catalogue call for a page with eventType on every node', async () => {
      const query = `query { events(first: 50) { nodes { id eventType { name } } } }`;
      const cold = await startTestGateway({ simulator: gateway.simulator });
      try {
        gateway.resetUpstreamCalls();
        const first = await cold.execute<{ events: { nodes: unknown[] } }>(query);
        expect(first.data!.events.nodes).toHaveLength(50);
        expect(cold.upstreamCalls()).toEqual({
          'POST /auth/oauth2/v2/token': 1,
          'GET /api/1/events': 1,
          'GET /api/1/events/types': 1,
        });
        gateway.resetUpstreamCalls();
        await cold.execute(query);
        expect(cold.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
      } finally {
        await cold.stop();
      }
    });

    it('fetches a page larger than 50 in upstream pages of 50', async () => {
      const result = await page({ first: 120 });
      expect(result.edges).toHaveLength(120);
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
    });

    it("maps a full page's endCursor onto OneLogin's after_cursor: the next page costs one call", async () => {
      const first = await page({ first: 25 });
      gateway.resetUpstreamCalls();
      await page({ first: 25, after: first.pageInfo.endCursor });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    });

    it('answers event(id) from the cache for an event seen in a recent page, when the page had its fields', async () => {
      const listed = await gateway.execute<{
        events: { nodes: { id: string; userName: string | null }[] };
      }>(`{ events(first: 5, orderBy: { field: ID, direction: ASC }) { nodes { id userName } } }`);
      const { id, userName } = listed.data!.events.nodes[2]!;
      const record = gateway.simulator.data.events().find((event) => String(event.id) === id)!;
      gateway.resetUpstreamCalls();

      const cached = await gateway.execute(`query ($id: ID!) { event(id: $id) { id userName } }`, {
        id,
      });
      expect(cached).toEqual({ data: { event: { id, userName } }, extensions: cost(1, 0) });
      expect(gateway.upstreamCalls()).toEqual({});

      // `notes` was not in the page's fields= projection: the cached copy lacks it.
      const fetched = await gateway.execute(`query ($id: ID!) { event(id: $id) { id notes } }`, {
        id,
      });
      expect(fetched).toEqual({
        data: { event: { id, notes: record.notes || null } },
        extensions: cost(1, 1),
      });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/:id': 1 });

      // The look-up fetched the whole event, so now every field is cached.
      gateway.resetUpstreamCalls();
      await gateway.execute(
        `query ($id: ID!) { event(id: $id) { id notes riskReasons appName } }`,
        { id },
      );
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('returns null without an error for an event that does not exist', async () => {
      const result = await gateway.execute(`query { event(id: "12345") { id createdAt } }`);
      expect(result).toEqual({ data: { event: null }, extensions: cost(1, 1) });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/:id': 1 });
    });
  });
});
