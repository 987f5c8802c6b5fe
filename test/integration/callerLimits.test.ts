/**
 * Caller limits in the production configuration (NODE_ENV=production, callers
 * authenticated by JWT or API key): requests per minute, each caller's hourly
 * share of OneLogin calls, the per-request call budget, the createEvent cap,
 * the operation shape limits, CORS and GET.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';
import { call, getToken } from '../simulator/helpers/simulatorClient';

const EVERY_SCOPE = 'events:read provisioning:read events:write';

interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** POSTs `body` to the gateway and parses the answer. */
async function postAs(
  gateway: TestGateway,
  headers: Record<string, string>,
  body: unknown,
): Promise<HttpAnswer> {
  const { status, text, headers: responseHeaders } = await gateway.post(body, headers);
  return { status, headers: responseHeaders, body: JSON.parse(text) as unknown };
}

/** The temp file of AUTH_API_KEYS_FILE with these keys (key → entry without its hash). */
function writeApiKeysFile(
  dir: string,
  keys: Record<string, { name: string; scopes: string[]; requestsPerMinute?: number }>,
): string {
  const file = path.join(dir, 'api-keys.json');
  const entries = Object.entries(keys).map(([key, entry]) => ({
    ...entry,
    sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
  }));
  writeFileSync(file, JSON.stringify({ keys: entries }));
  return file;
}

/** The rate-limit budget the simulator's account has left (reading it spends nothing). */
async function accountBudgetLeft(gateway: TestGateway): Promise<number> {
  const token = await getToken(gateway.simulator);
  const answer = await call(gateway.simulator, '/auth/rate_limit', {
    headers: { authorization: `Bearer ${token}` },
  });
  return (answer.body as { data: { 'X-RateLimit-Remaining': number } }).data[
    'X-RateLimit-Remaining'
  ];
}

const PAGE = `query Page($after: String) {
  events(first: 50, after: $after) { pageInfo { endCursor } nodes { id } }
}`;

interface PageData {
  events: { pageInfo: { endCursor: string | null }; nodes: { id: string }[] };
}

describe('requests per minute, per caller', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let dir: string;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    dir = mkdtempSync(path.join(tmpdir(), 'caller-limits-'));
    const keysFile = writeApiKeysFile(dir, {
      'olgw_exporter-key': { name: 'exporter', scopes: ['events:read'], requestsPerMinute: 5 },
      'olgw_plain-key': { name: 'plain', scopes: ['events:read'] },
    });
    gateway = await startTestGateway({
      env: idp.env({
        NODE_ENV: 'production',
        AUTH_MODE: 'jwt,api-key',
        AUTH_API_KEYS_FILE: keysFile,
        RATE_LIMIT_REQUESTS_PER_MINUTE: '3',
      }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `{ __typename }` `count` times as `headers`, returns the answers. */
  async function send(headers: Record<string, string>, count: number): Promise<HttpAnswer[]> {
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < count; i += 1) {
      answers.push(await postAs(gateway, headers, { query: '{ __typename }' }));
    }
    return answers;
  }

  function expectRefused(answer: HttpAnswer, perMinute: number): void {
    const seconds = Number(answer.headers.get('retry-after'));
    expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60).toBe(true);
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 429,
      body: {
        errors: [
          {
            message: `Too many requests: this caller may make ${perMinute} requests a minute; try again in ${seconds} s.`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
          },
        ],
      },
    });
  }

  it('admits N requests of a caller, answers the (N+1)th 429 with Retry-After, and another caller is unaffected', async () => {
    const alice = {
      authorization: `Bearer ${await idp.sign({ sub: 'alice', scope: 'events:read' })}`,
    };
    const bob = { authorization: `Bearer ${await idp.sign({ sub: 'bob', scope: 'events:read' })}` };

    const answers = await send(alice, 4);
    expect(answers.slice(0, 3).map((a) => [a.status, a.body])).toEqual(
      Array(3).fill([200, { data: { __typename: 'Query' } }]),
    );
    expectRefused(answers[3]!, 3);
    // A new token of the same subject is the same caller.
    const again = {
      authorization: `Bearer ${await idp.sign({ sub: 'alice', scope: 'events:read' })}`,
    };
    expectRefused((await send(again, 1))[0]!, 3);

    expect((await send(bob, 3)).map((a) => [a.status, a.body])).toEqual(
      Array(3).fill([200, { data: { __typename: 'Query' } }]),
    );
    expectRefused((await send(bob, 1))[0]!, 3);
  });

  it("applies an API key's requestsPerMinute, and the default to a key without one", async () => {
    const exporter = await send({ 'x-api-key': 'olgw_exporter-key' }, 6);
    expect(exporter.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expectRefused(exporter[5]!, 5);

    const plain = await send({ authorization: 'Bearer olgw_plain-key' }, 4);
    expect(plain.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    expectRefused(plain[3]!, 3);
  });

  it('refuses the caller before anything reaches OneLogin', async () => {
    gateway.resetUpstreamCalls();
    const carol = {
      authorization: `Bearer ${await idp.sign({ sub: 'carol', scope: 'events:read' })}`,
    };
    await send(carol, 3);
    const refused = await postAs(gateway, carol, {
      query: '{ events(first: 1) { nodes { id } } }',
    });
    expectRefused(refused, 3);
    expect(gateway.upstreamCalls()).toEqual({});
  });
});

describe("each caller's hourly share of OneLogin calls", () => {
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
  });
  afterAll(async () => {
    await idp.close();
  });

  describe('a caller whose share is spent', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({
        env: idp.env({ NODE_ENV: 'production', RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '3' }),
      });
    });
    afterAll(async () => {
      await gateway.stop();
    });

    it('gets RATE_LIMITED for reads that need OneLogin, and still gets what is cached', async () => {
      const dave = {
        authorization: `Bearer ${await idp.sign({ sub: 'dave', scope: 'events:read' })}`,
      };
      // Two calls: the catalogue and a page; then one more page: the share of 3 is spent.
      const first = await postAs(gateway, dave, {
        query: `{ eventTypes { id } events(first: 5) { pageInfo { endCursor } nodes { id } } }`,
      });
      expect(first.status).toBe(200);
      const firstPage = (first.body as { data: PageData }).data.events;
      const second = await postAs(gateway, dave, {
        query: PAGE,
        variables: { after: firstPage.pageInfo.endCursor },
      });
      expect(second.status).toBe(200);
      const secondPage = (second.body as { data: PageData }).data.events;
      expect(gateway.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events/types': 1,
        'GET /api/1/events': 2,
      });
      gateway.resetUpstreamCalls();

      const refused = await postAs(gateway, dave, {
        query: PAGE,
        variables: { after: secondPage.pageInfo.endCursor },
      });
      const seconds = (refused.body as { errors: [{ extensions: { retryAfterSeconds: number } }] })
        .errors[0].extensions.retryAfterSeconds;
      expect(seconds > 3500 && seconds <= 3600).toBe(true);
      expect(refused).toEqual({
        status: 429,
        headers: expect.any(Headers),
        body: {
          data: null,
          errors: [
            {
              message:
                "This caller has spent its share of OneLogin calls (3 an hour; the account's 5,000 are shared): " +
                `ask for what the gateway has cached, or try again in ${seconds} s.`,
              locations: [{ line: 2, column: 3 }],
              path: ['events'],
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
            },
          ],
          // The request's budget counts the call it charged before the caller's share refused it
          // (UpstreamBudget.spend): OneLogin was not called.
          extensions: cost(1, 1),
        },
      });
      expect(refused.headers.get('retry-after')).toBe(String(seconds));

      // The catalogue and the events of the pages it read are cached: they still answer.
      const id = firstPage.nodes[2]!.id;
      const cached = await postAs(gateway, dave, {
        query: `query ($id: ID!) { eventTypes { id } event(id: $id) { id } }`,
        variables: { id },
      });
      expect(cached).toEqual({
        status: 200,
        headers: expect.any(Headers),
        body: {
          data: {
            eventTypes: gateway.simulator.data
              .eventTypes()
              .map((type) => ({ id: String(type.id) }))
              .sort((a, b) => Number(a.id) - Number(b.id)),
            event: { id },
          },
          extensions: cost(1, 0),
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});

      // A request that needs both: the cached part answers, the rest is RATE_LIMITED,
      // and the status stays 200 so that clients keep what they got.
      const uncached = String(gateway.simulator.data.events()[0]!.id);
      const mixed = await postAs(gateway, dave, {
        query: `query ($id: ID!) { eventType(id: "5") { name } event(id: $id) { id } }`,
        variables: { id: uncached },
      });
      expect(mixed).toEqual({
        status: 200,
        headers: expect.any(Headers),
        body: {
          data: {
            eventType: {
              name: gateway.simulator.data.eventTypes().find((type) => type.id === 5)!.name,
            },
            event: null,
          },
          errors: [
            {
              message: expect.stringMatching(/^This caller has spent its share of OneLogin calls/),
              locations: [{ line: 1, column: 48 }],
              path: ['event'],
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
            },
          ],
          // Charged, then refused by the caller's share, as above.
          extensions: cost(1, 1),
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('charges legacy calls to the share as well', async () => {
      const erin = {
        authorization: `Bearer ${await idp.sign({ sub: 'erin', scope: 'provisioning:read' })}`,
      };
      gateway.resetUpstreamCalls();
      const range = (day: number) =>
        `failedProvisionings(startDate: "2026-06-${String(day).padStart(2, '0')}T00:00:00Z", ` +
        `stopDate: "2026-06-${String(day + 1).padStart(2, '0')}T00:00:00Z") { totalCount }`;
      const answers: number[] = [];
      for (const day of [1, 2, 3, 4]) {
        answers.push((await postAs(gateway, erin, { query: `{ ${range(day)} }` })).status);
      }
      expect(answers).toEqual([200, 200, 200, 429]);
      expect(gateway.upstreamCalls()).toEqual({
        'GET /api/v1/logins/failed_provisioning.json': 3,
      });
    });
  });

  it("stops an abusive caller at its share; the other callers' requests still succeed, and the account keeps the rest", async () => {
    const accountLimit = 60;
    const share = 10;
    const gateway = await startTestGateway({
      env: idp.env({
        NODE_ENV: 'production',
        RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: String(share),
      }),
      simulatorOptions: { rateLimitPerHour: accountLimit },
    });
    try {
      const mallory = {
        authorization: `Bearer ${await idp.sign({ sub: 'mallory', scope: 'events:read' })}`,
      };
      const alice = {
        authorization: `Bearer ${await idp.sign({ sub: 'alice', scope: 'events:read' })}`,
      };

      // Mallory walks every page (none is cached) until refused.
      const statuses: number[] = [];
      let after: string | null = null;
      let refusal: unknown;
      for (let i = 0; i < 40; i += 1) {
        const answer = await postAs(gateway, mallory, { query: PAGE, variables: { after } });
        statuses.push(answer.status);
        if (answer.status !== 200) {
          refusal = answer.body;
          break;
        }
        after = (answer.body as { data: PageData }).data.events.pageInfo.endCursor;
      }
      expect(statuses).toEqual([...Array<number>(share).fill(200), 429]);
      expect(refusal).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            path: ['events'],
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
          }),
        ],
        // Charged by the request's budget, refused by the caller's share: OneLogin was not called.
        extensions: cost(1, 1),
      });
      expect(gateway.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events': share,
      });

      // Alice, afterwards: every request succeeds.
      const aliceRequests = 5;
      for (let i = 0; i < aliceRequests; i += 1) {
        const answer = await postAs(gateway, alice, {
          query: `{ events(first: 3, filter: { eventTypeIds: ["${i + 1}"] }) { nodes { id } } }`,
        });
        expect(answer.status).toBe(200);
        expect((answer.body as { errors?: unknown }).errors).toBeUndefined();
      }
      expect(gateway.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events': share + aliceRequests,
      });
      expect(await accountBudgetLeft(gateway)).toBe(accountLimit - share - aliceRequests);
    } finally {
      await gateway.stop();
    }
  });
});

describe('calls that OneLogin answers badly and the gateway retries', () => {
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
  });
  afterAll(async () => {
    await idp.close();
  });

  it("count against the caller's share and the request's budget: OneLogin sees no more calls than they allow", async () => {
    const gateway = await startTestGateway({
      env: idp.env({
        NODE_ENV: 'production',
        RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1',
        UPSTREAM_CALLS_PER_REQUEST_MAX: '1',
      }),
      simulatorOptions: { rateLimitPerHour: 100 },
    });
    try {
      const kate = {
        authorization: `Bearer ${await idp.sign({ sub: 'kate', scope: 'events:read' })}`,
      };
      // OneLogin answers (and counts) the first two attempts, but their bodies arrive cut short.
      gateway.simulator.faults.inject({ kind: 'truncate', route: 'GET /api/1/events', times: 2 });
      await postAs(gateway, kate, { query: '{ events(first: 1) { nodes { id } } }' });
      expect(gateway.upstreamCalls()['GET /api/1/events']).toBeLessThanOrEqual(1);
      expect(await accountBudgetLeft(gateway)).toBeGreaterThanOrEqual(100 - 1);
    } finally {
      await gateway.stop();
    }
  });
});

describe('the per-request call budget in production', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      env: idp.env({ NODE_ENV: 'production', UPSTREAM_CALLS_PER_REQUEST_MAX: '3' }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });

  it('covers the legacy API: aliased failedProvisionings over distinct ranges beyond the max are refused before any call', async () => {
    const token = await idp.sign({ sub: 'frank', scope: 'provisioning:read' });
    const day = (d: number) => `2026-06-${String(d).padStart(2, '0')}T00:00:00Z`;
    const aliases = [1, 2, 3, 4, 5]
      .map(
        (d) =>
          `r${d}: failedProvisionings(startDate: "${day(d)}", stopDate: "${day(d + 1)}") { totalCount }`,
      )
      .join(' ');
    const answer = await postAs(
      gateway,
      { authorization: `Bearer ${token}` },
      { query: `{ ${aliases} }` },
    );
    expect(answer).toEqual({
      status: 400,
      headers: expect.any(Headers),
      body: {
        errors: [
          {
            message:
              "This operation can make up to 5 calls to OneLogin (estimated before running it), more than the 3 one request may make (the account's 5,000 calls an hour are shared), so nothing was sent: ask for fewer or smaller pages (one call per 50 events), fewer nested `events`, or fewer entities at once.",
            extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED', cost: { estimated: 5, max: 3 } },
          },
        ],
        extensions: cost(5, 0, 3),
      },
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });
});

describe('the createEvent cap', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let writer: Record<string, string>;

  const mutation = (count: number, tag: string) =>
    `mutation { ${Array.from(
      { length: count },
      (_unused, i) =>
        `c${i}: createEvent(input: { eventTypeId: "9", customMessage: "${tag} ${i}" }) { event { eventTypeId customMessage } }`,
    ).join(' ')} }`;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ env: idp.env({ NODE_ENV: 'production' }) });
    writer = { authorization: `Bearer ${await idp.sign({ sub: 'gina', scope: EVERY_SCOPE })}` };
    await gateway.executeAs(writer, '{ eventTypes { id } }'); // token and catalogue
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it('refuses a mutation with 11 createEvent whole, before any write', async () => {
    const before = gateway.simulator.data.events().length;
    const answer = await postAs(gateway, writer, { query: mutation(11, 'eleven') });
    expect(answer).toEqual({
      status: 400,
      headers: expect.any(Headers),
      body: {
        errors: [
          {
            message:
              'This mutation holds 11 `createEvent`; one request may hold at most 10 (CREATE_EVENTS_PER_REQUEST_MAX).',
            locations: [{ line: 1, column: 1 }],
            extensions: {
              code: 'OPERATION_LIMIT_EXCEEDED',
              limit: 'createEventsPerRequest',
              max: 10,
            },
          },
        ],
      },
    });
    expect(gateway.upstreamCalls()).toEqual({});
    expect(gateway.simulator.data.events()).toHaveLength(before);
  });

  it('counts createEvent through fragments too', async () => {
    const fields = Array.from(
      { length: 6 },
      (_unused, i) =>
        `f${i}: createEvent(input: { eventTypeId: "9", customMessage: "fragment ${i}" }) { event { eventTypeId } }`,
    ).join(' ');
    const inline = Array.from(
      { length: 5 },
      (_unused, i) =>
        `g${i}: createEvent(input: { eventTypeId: "9", customMessage: "inline ${i}" }) { event { eventTypeId } }`,
    ).join(' ');
    const answer = await postAs(gateway, writer, {
      query: `mutation { ...Six ... on Mutation { ${inline} } } fragment Six on Mutation { ${fields} }`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        expect.objectContaining({
          message:
            'This mutation holds 11 `createEvent`; one request may hold at most 10 (CREATE_EVENTS_PER_REQUEST_MAX).',
          extensions: {
            code: 'OPERATION_LIMIT_EXCEEDED',
            limit: 'createEventsPerRequest',
            max: 10,
          },
        }),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('writes all 10 of a mutation with 10', async () => {
    const answer = await postAs(gateway, writer, { query: mutation(10, 'ten') });
    expect(answer).toEqual({
      status: 200,
      headers: expect.any(Headers),
      body: {
        data: Object.fromEntries(
          Array.from({ length: 10 }, (_unused, i) => [
            `c${i}`,
            { event: { eventTypeId: '9', customMessage: `ten ${i}` } },
          ]),
        ),
        extensions: cost(10, 10),
      },
    });
    expect(gateway.upstreamCalls()).toEqual({ 'POST /api/v1/events.xml': 10 });
    const written = gateway.simulator.data
      .events()
      .filter((event) => event.custom_message?.startsWith('ten '))
      .map((event) => event.custom_message)
      .sort();
    expect(written).toEqual(Array.from({ length: 10 }, (_unused, i) => `ten ${i}`).sort());
  });
});

describe('operation shape limits in production', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let reader: Record<string, string>;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ env: idp.env({ NODE_ENV: 'production' }) });
    reader = { authorization: `Bearer ${await idp.sign({ sub: 'hank', scope: EVERY_SCOPE })}` };
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  const times = (count: number, text: (i: number) => string) =>
    Array.from({ length: count }, (_unused, i) => text(i)).join(' ');

  /** `events → edges → node → user → events → edges → node → leaf`: depth 8 with `leaf`, 9 with `eventType { name }`. */
  const deep = (leaf: string) =>
    `{ events(first: 1) { edges { node { user { events(first: 1) { edges { node { ${leaf} } } } } } } } }`;

  it.each<[string, string, string, string, number]>([
    [
      'depth 9',
      deep('eventType { name }'),
      'Query depth limit of 8 exceeded, found 9.',
      'maxDepth',
      8,
    ],
    [
      'depth 9 through fragments',
      `{ events(first: 1) { edges { node { ...Deep } } } }
       fragment Deep on Event { user { ... on User { events(first: 1) { edges { node { ...Leaf } } } } } }
       fragment Leaf on Event { eventType { name } }`,
      'Query depth limit of 8 exceeded, found 9.',
      'maxDepth',
      8,
    ],
    [
      '16 aliases, of __typename',
      `{ ${times(16, (i) => `a${i}: __typename`)} }`,
      'Aliases limit of 15 exceeded, found 16.',
      'maxAliases',
      15,
    ],
    [
      '16 aliases, some in a fragment',
      `{ ${times(10, (i) => `a${i}: __typename`)} ...More } fragment More on Query { ${times(6, (i) => `b${i}: __typename`)} }`,
      'Aliases limit of 15 exceeded, found 16.',
      'maxAliases',
      15,
    ],
    [
      '51 directives',
      // On spreads of distinct fragments, so that no field repeats (inline fragments without
      // a type condition merge, and their repeated fields count against maxDuplicateFields;
      // graphql-armor counts a directive on a repeated spread of one fragment only once).
      `{ ${times(51, (i) => `...T${i} @include(if: true)`)} } ${times(51, (i) => `fragment T${i} on Query { __typename }`)}`,
      'Directives limit of 50 exceeded, found 51.',
      'maxDirectives',
      50,
    ],
    [
      'a field repeated 4 times in one selection set',
      '{ __typename __typename __typename __typename }',
      'The field `__typename` is repeated more than 3 times in one selection set; name it once.',
      'maxDuplicateFields',
      3,
    ],
    [
      'a field repeated 4 times through inline fragments without a type condition',
      '{ __typename ... { __typename } ... { ... { __typename } } ... { __typename } }',
      'The field `__typename` is repeated more than 3 times in one selection set; name it once.',
      'maxDuplicateFields',
      3,
    ],
    [
      'a nested field repeated 4 times',
      '{ events(first: 1) { nodes { id id id id } } }',
      'The field `id` is repeated more than 3 times in one selection set; name it once.',
      'maxDuplicateFields',
      3,
    ],
    [
      '1001 tokens',
      // query Q { __typename (… on Query { __typename }) × 166 }: 5 + 6 × 166 = 1001 tokens.
      `query Q { __typename ${times(166, () => '... on Query { __typename }')} }`,
      'The document has more than 1000 tokens, the most this gateway parses (GRAPHQL_MAX_TOKENS).',
      'maxTokens',
      1000,
    ],
  ])(
    'refuses %s: 400 OPERATION_LIMIT_EXCEEDED, and no call',
    async (_name, query, message, limit, max) => {
      const answer = await postAs(gateway, reader, { query });
      expect(answer).toEqual({
        status: 400,
        headers: expect.any(Headers),
        body: {
          errors: [
            {
              message,
              ...((answer.body as { errors: [{ locations?: unknown }] }).errors[0].locations
                ? { locations: expect.any(Array) }
                : {}),
              extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, max },
            },
          ],
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});
    },
  );

  it.each<[string, string]>([
    ['depth 8', deep('id')],
    [
      'depth 8 written with fragments (fragments do not count)',
      `{ events(first: 1) { edges { node { ...Deep } } } }
       fragment Deep on Event { ... on Event { user { ... on User { events(first: 1) { edges { node { ...Leaf } } } } } } }
       fragment Leaf on Event { id }`,
    ],
    ['15 aliases', `{ ${times(15, (i) => `a${i}: __typename`)} }`],
    [
      '50 directives',
      `{ ${times(50, (i) => `...T${i} @include(if: true)`)} } ${times(50, (i) => `fragment T${i} on Query { __typename }`)}`,
    ],
    ['a field 3 times', '{ __typename __typename __typename }'],
    // query { __typename (… on Query { __typename }) × 166 }: 4 + 6 × 166 = 1000 tokens.
    ['1000 tokens', `query { __typename ${times(166, () => '... on Query { __typename }')} }`],
    [
      'the same field under inline fragments on different types',
      `{ _entities(representations: [{ __typename: "EventType", id: "5" }]) {
          ... on User { __typename id } ... on Event { __typename id }
          ... on EventType { __typename id } ... on User { __typename } } }`,
    ],
  ])('accepts %s', async (_name, query) => {
    const answer = await postAs(gateway, reader, { query });
    expect(answer.status).toBe(200);
    expect((answer.body as { errors?: unknown }).errors).toBeUndefined();
  });

  it('gives a bounded number of errors for 10 unknown directives', async () => {
    const answer = await postAs(gateway, reader, {
      query: 'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }',
    });
    const errors = (answer.body as { errors: { message: string; extensions: unknown }[] }).errors;
    expect(answer.status).toBe(400);
    expect(errors.length).toBeLessThanOrEqual(6);
    expect(errors.map((error) => [error.message, error.extensions])).toEqual([
      ...Array(5).fill(['Unknown directive "@aa".', { code: 'GRAPHQL_VALIDATION_FAILED' }]),
      [
        'Too many validation errors, error limit reached. Validation aborted.',
        { code: 'GRAPHQL_VALIDATION_FAILED' },
      ],
    ]);
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each<[string, string, Record<string, unknown> | undefined, string]>([
    [
      'an unknown argument',
      '{ events(firs: 1) { nodes { id } } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a misspelt enum literal',
      '{ events(orderBy: { field: ID, direction: AS }) { nodes { id } } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a misspelt input field literal',
      '{ events(filter: { userid: "1" }) { nodes { id } } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a misspelt enum value in a variable',
      'query ($o: EventOrder) { events(orderBy: $o) { nodes { id } } }',
      { o: { field: 'ID', direction: 'AS' } },
      'BAD_USER_INPUT',
    ],
    [
      'a misspelt input field in a variable',
      'query ($f: EventFilter) { events(filter: $f) { nodes { id } } }',
      { f: { userid: '1' } },
      'BAD_USER_INPUT',
    ],
  ])('suggests nothing in production for %s', async (_name, query, variables, code) => {
    const answer = await postAs(gateway, reader, { query, variables });
    const errors = (answer.body as { errors: { message: string; extensions: unknown }[] }).errors;
    expect(answer.status).toBe(400);
    expect(errors.map((error) => error.extensions)).toEqual([{ code }]);
    expect(errors[0]!.message).not.toMatch(/Did you mean/);
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('gives no field suggestions in production', async () => {
    const answer = await postAs(gateway, reader, { query: '{ evnts { id } }' });
    expect(answer).toEqual({
      status: 400,
      headers: expect.any(Headers),
      body: {
        errors: [
          {
            message: 'Cannot query field "evnts" on type "Query".',
            locations: [{ line: 1, column: 3 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      },
    });
  });
});

describe('shape limits set by the environment', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let caller: Record<string, string>;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      env: idp.env({
        NODE_ENV: 'production',
        GRAPHQL_MAX_DEPTH: '2',
        GRAPHQL_MAX_ALIASES: '1',
        GRAPHQL_MAX_TOKENS: '40',
        GRAPHQL_MAX_DIRECTIVES: '1',
        GRAPHQL_MAX_DUPLICATE_FIELDS: '1',
        CREATE_EVENTS_PER_REQUEST_MAX: '1',
      }),
    });
    caller = { authorization: `Bearer ${await idp.sign({ sub: 'ivy', scope: EVERY_SCOPE })}` };
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it.each<[string, string, string, string, number]>([
    [
      'depth 3',
      '{ events { nodes { id } } }',
      'Query depth limit of 2 exceeded, found 3.',
      'maxDepth',
      2,
    ],
    [
      '2 aliases',
      '{ a: __typename b: __typename }',
      'Aliases limit of 1 exceeded, found 2.',
      'maxAliases',
      1,
    ],
    [
      '2 directives',
      '{ __typename @include(if: true) @skip(if: false) }',
      'Directives limit of 1 exceeded, found 2.',
      'maxDirectives',
      1,
    ],
    [
      'a field twice',
      '{ __typename __typename }',
      'The field `__typename` is repeated more than 1 times in one selection set; name it once.',
      'maxDuplicateFields',
      1,
    ],
    [
      '43 tokens',
      // { __typename (… { __typename }) × 10 }: 3 + 4 × 10 = 43 tokens.
      `{ __typename ${'... { __typename } '.repeat(10)}}`,
      'The document has more than 40 tokens, the most this gateway parses (GRAPHQL_MAX_TOKENS).',
      'maxTokens',
      40,
    ],
    [
      '2 createEvent',
      'mutation { createEvent(input: { eventTypeId: "9" }) { __typename } ' +
        'again: createEvent(input: { eventTypeId: "9" }) { __typename } }',
      'This mutation holds 2 `createEvent`; one request may hold at most 1 (CREATE_EVENTS_PER_REQUEST_MAX).',
      'createEventsPerRequest',
      1,
    ],
  ])('refuses %s', async (_name, query, message, limit, max) => {
    const answer = await postAs(gateway, caller, { query });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        expect.objectContaining({
          message,
          extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, max },
        }),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('accepts what keeps within them', async () => {
    const answer = await postAs(gateway, caller, {
      query: '{ a: eventType(id: "5") @include(if: true) { id } }',
    });
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      // The first request of this gateway loads the catalogue.
      body: { data: { a: { id: '5' } }, extensions: cost(1, 1) },
    });
  });
});

describe('field suggestions in development', () => {
  it('are given outside production', async () => {
    const gateway = await startTestGateway();
    try {
      const answer = await postAs(gateway, {}, { query: '{ evnts { id } }' });
      expect(answer).toEqual({
        status: 400,
        headers: expect.any(Headers),
        body: {
          errors: [
            {
              message:
                'Cannot query field "evnts" on type "Query". Did you mean "events" or "event"?',
              locations: [{ line: 1, column: 3 }],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            },
          ],
        },
      });
    } finally {
      await gateway.stop();
    }
  });
});

describe('CORS and GET', () => {
  let idp: TestIdentityProvider;
  let production: TestGateway;
  let listed: TestGateway;
  let development: TestGateway;
  let caller: Record<string, string>;

  const APP = 'https://app.example.com';
  const FOREIGN = 'https://evil.example';

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    production = await startTestGateway({ env: idp.env({ NODE_ENV: 'production' }) });
    listed = await startTestGateway({
      simulator: production.simulator,
      env: idp.env({
        NODE_ENV: 'production',
        CORS_ORIGINS: `${APP}, https://admin.example.com`,
      }),
    });
    development = await startTestGateway({ simulator: production.simulator });
    caller = { authorization: `Bearer ${await idp.sign({ sub: 'jack', scope: 'events:read' })}` };
  });
  afterAll(async () => {
    await listed.stop();
    await development.stop();
    await production.stop();
    await idp.close();
  });

  /** The CORS headers of a POST and of its OPTIONS preflight from `origin`. */
  async function cors(gateway: TestGateway, origin: string) {
    const post = await gateway.post({ query: '{ __typename }' }, { ...caller, origin });
    const preflight = await fetch(gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    return {
      post: {
        status: post.status,
        allowOrigin: post.headers.get('access-control-allow-origin'),
        vary: post.headers.get('vary'),
      },
      preflight: {
        status: preflight.status,
        allowOrigin: preflight.headers.get('access-control-allow-origin'),
        vary: preflight.headers.get('vary'),
      },
    };
  }

  it('production without CORS_ORIGINS: no access-control-allow-origin for a foreign origin', async () => {
    expect(await cors(production, FOREIGN)).toEqual({
      post: { status: 200, allowOrigin: null, vary: 'origin' },
      preflight: { status: 204, allowOrigin: null, vary: 'origin' },
    });
    expect(await cors(production, APP)).toEqual({
      post: { status: 200, allowOrigin: null, vary: 'origin' },
      preflight: { status: 204, allowOrigin: null, vary: 'origin' },
    });
  });

  it('production with CORS_ORIGINS: a listed origin is echoed with vary: origin, others are not', async () => {
    expect(await cors(listed, APP)).toEqual({
      post: { status: 200, allowOrigin: APP, vary: 'origin' },
      preflight: { status: 204, allowOrigin: APP, vary: 'origin' },
    });
    expect(await cors(listed, 'https://admin.example.com')).toEqual({
      post: { status: 200, allowOrigin: 'https://admin.example.com', vary: 'origin' },
      preflight: { status: 204, allowOrigin: 'https://admin.example.com', vary: 'origin' },
    });
    const foreign = await cors(listed, FOREIGN);
    expect({
      post: { status: foreign.post.status, allowOrigin: foreign.post.allowOrigin },
      preflight: { status: foreign.preflight.status, allowOrigin: foreign.preflight.allowOrigin },
    }).toEqual({
      post: { status: 200, allowOrigin: null },
      preflight: { status: 204, allowOrigin: null },
    });
  });

  it('development: any origin', async () => {
    expect(await cors(development, FOREIGN)).toEqual({
      post: { status: 200, allowOrigin: '*', vary: null },
      preflight: { status: 204, allowOrigin: '*', vary: null },
    });
  });

  it('production: GET queries are refused with 405, before anything runs', async () => {
    production.resetUpstreamCalls();
    const response = await fetch(
      `${production.url}?query=${encodeURIComponent('{ events(first: 1) { nodes { id } } }')}`,
      { headers: { ...caller, 'apollo-require-preflight': 'true' } },
    );
    expect({
      status: response.status,
      allow: response.headers.get('allow'),
      body: (await response.json()) as unknown,
    }).toEqual({
      status: 405,
      allow: 'POST, OPTIONS',
      body: {
        errors: [
          {
            message: 'This gateway runs GraphQL over POST only (GRAPHQL_GET_QUERIES is off).',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
    });
    expect(production.upstreamCalls()).toEqual({});
  });

  it('development: GET queries work', async () => {
    const response = await fetch(
      `${development.url}?query=${encodeURIComponent('{ __typename }')}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect({ status: response.status, body: (await response.json()) as unknown }).toEqual({
      status: 200,
      body: { data: { __typename: 'Query' } },
    });
  });
});
