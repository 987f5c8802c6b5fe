import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { DEMO_CREDENTIALS } from '../../src/simulator';
import { cost } from '../helpers/cost';
import type { GraphQLResponse } from '../helpers/startTestGateway';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const CREATE = `
  mutation Create($input: CreateEventInput!) {
    createEvent(input: $input) {
      event {
        eventTypeId eventType { id name } recordedAt accountId actorSystem actorUserId actorUserName appId appName
        assumingActingUserId customMessage directorySyncRunId groupId groupName ipAddress otpDeviceId otpDeviceName
        policyId policyName roleId roleName userId userName
      }
    }
  }
`;

const FIND = `
  query Find($filter: EventFilter) {
    events(filter: $filter, first: 10) {
      nodes {
        accountId eventTypeId eventType { name } message actorSystem actorUserId actorUserName appId appName
        assumingActingUserId customMessage directorySyncRunId groupId groupName ipAddress otpDeviceId
        otpDeviceName policyId policyName roleId roleName userId userName
      }
    }
  }
`;

const XML_POST = 'POST /api/v1/events.xml';
/** What a client is told when a write without an idempotency key may or may not have been recorded. */
const unknown = (status: number | null) =>
  'The event may or may not have been recorded by OneLogin: no answer, or a server error from OneLogin or a proxy ' +
  `in front of it, came back after it was sent${status === null ? '' : ` (HTTP ${status})`}. It was not retried. ` +
  'Look for it with `events` before you send it again. To make retrying safe, send each event with an `idempotencyKey`: ' +
  'a retry with the same key looks for the event itself before it writes.';

/** Text that XML and string concatenation get wrong: markup, entities, CDATA ends, whitespace, CR, astral characters. */
const HARD = `Tom & Jerry <b>bold</b> ]]> "double" 'single' &amp; &#13; &copy; AT&T;\n\tline two\rCR\r\nCRLF Zoë 東京 🚀`;

describe('Mutation.createEvent', () => {
  let gateway: TestGateway;
  /** Every response body, to check that no secret ever leaves the gateway. */
  const responses: string[] = [];

  async function run<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ) {
    const result = await gateway.execute<T>(query, variables);
    responses.push(JSON.stringify(result));
    return result;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { UPSTREAM_TIMEOUT_MS: '500', UPSTREAM_WRITE_TIMEOUT_MS: '500' },
    });
    // Warm the token and the event-type catalogue, so that counters show only the calls under test.
    await run(`query { eventTypes { id } }`);
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.simulator.faults.clear();
    gateway.resetUpstreamCalls();
  });

  it('records every field of the seed, hard text included, and `events` then finds exactly that event', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const input = {
      eventTypeId: '9',
      accountId: '123456',
      actorSystem: `API ]]> & <system>`,
      actorUserId: '654321',
      actorUserName: `O'Brien & "Sons" <Ltd>`,
      appId: '11111',
      appName: 'Mobile Sales 📱',
      assumingActingUserId: '77777',
      customMessage: HARD,
      directorySyncRunId: '99999',
      groupId: '44444',
      groupName: 'sales\tgroup',
      ipAddress: '2001:db8::7',
      otpDeviceId: '55555',
      otpDeviceName: 'j-mobile\r\n',
      policyId: '22222',
      policyName: 'app-policy &lt;',
      roleId: '33333',
      roleName: 'employee-role',
      userId: '88888',
      userName: 'Juniper Gonsales',
    };
    const created = await run<{ createEvent: { event: Record<string, unknown> } }>(CREATE, {
      input,
    });
    expect(created.errors).toBeUndefined();
    const { recordedAt, ...echoed } = created.data!.createEvent.event;
    expect(echoed).toEqual({
      ...input,
      eventType: { id: '9', name: 'USER_FAILED_APP_LOGIN' },
    });
    expect(Date.parse(recordedAt as string)).toBeGreaterThan(Date.parse(since));
    expect(Date.parse(recordedAt as string)).toBeLessThanOrEqual(Date.now());
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });

    const found = await run(FIND, { filter: { eventTypeIds: ['9'], userId: '88888', since } });
    expect(found).toEqual({
      data: {
        events: {
          nodes: [
            {
              ...input,
              // OneLogin records the event in the API key's account, whatever `account-id` says.
              accountId: String(gateway.simulator.data.events()[0]!.account_id),
              eventType: { name: 'USER_FAILED_APP_LOGIN' },
              message: 'Juniper Gonsales failed to log into Mobile Sales 📱',
            },
          ],
        },
      },
      extensions: cost(1, 1),
    });
  });

  it('records an event with only its type; the payload leaves every other field null', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const created = await run(CREATE, { input: { eventTypeId: '0005' } });
    expect(created).toEqual({
      extensions: cost(1, 1),
      data: {
        createEvent: {
          event: {
            eventTypeId: '5',
            eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' },
            recordedAt: expect.any(String),
            accountId: null,
            actorSystem: null,
            actorUserId: null,
            actorUserName: null,
            appId: null,
            appName: null,
            assumingActingUserId: null,
            customMessage: null,
            directorySyncRunId: null,
            groupId: null,
            groupName: null,
            ipAddress: null,
            otpDeviceId: null,
            otpDeviceName: null,
            policyId: null,
            policyName: null,
            roleId: null,
            roleName: null,
            userId: null,
            userName: null,
          },
        },
      },
    });
    const found = await run<{ events: { nodes: Array<{ eventTypeId: string; userId: unknown }> } }>(
      FIND,
      { filter: { eventTypeIds: ['5'], since } },
    );
    expect(found.data!.events.nodes).toEqual([
      expect.objectContaining({ eventTypeId: '5', userId: null, customMessage: null }),
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a malformed id',
      { eventTypeId: '5', userId: 'me' },
      'input.userId',
      '`input.userId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "me").',
    ],
    [
      'an IP address that is too long',
      { eventTypeId: '5', ipAddress: '1'.repeat(256) },
      'input.ipAddress',
      '`input.ipAddress` must be at most 255 characters (got 256).',
    ],
    [
      'a control character',
      { eventTypeId: '5', customMessage: 'escape \u001b[31m red' },
      'input.customMessage',
      "`input.customMessage` contains U+001B (character 8), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'an unpaired surrogate',
      { eventTypeId: '5', userName: 'broken \ud83d emoji' },
      'input.userName',
      "`input.userName` contains an unpaired surrogate U+D83D (character 8), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'a name that is too long',
      { eventTypeId: '5', roleName: 'r'.repeat(256) },
      'input.roleName',
      '`input.roleName` must be at most 255 characters (got 256).',
    ],
    [
      'an empty name',
      { eventTypeId: '5', groupName: '' },
      'input.groupName',
      '`input.groupName` must not be empty: leave it out instead.',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, before any upstream call',
    async (_name, input, argument, message) => {
      const result = await run(CREATE, { input });
      expect(result).toEqual({
        data: null,
        extensions: cost(1, 0),
        errors: [
          {
            message,
            path: ['createEvent'],
            locations: [{ line: 3, column: 5 }],
            extensions: { code: 'BAD_USER_INPUT', argument },
          },
        ],
      });
      expect(gateway.upstreamCalls()).toEqual({});
    },
  );

  it.each(['fe80::1%eth0', '123.456.789.0', '203.0.113.0/24'])(
    'records the address %j exactly as given: the legacy API types `ipaddr` as free text',
    async (ipAddress) => {
      const customMessage = `address ${ipAddress}`;
      const result = await run(CREATE, { input: { eventTypeId: '5', ipAddress, customMessage } });
      expect(result.errors).toBeUndefined();
      expect(
        (result.data as { createEvent: { event: { ipAddress: string } } }).createEvent.event
          .ipAddress,
      ).toBe(ipAddress);
      const recorded = gateway.simulator.data
        .events()
        .filter((event) => event.custom_message === customMessage);
      expect(recorded.map((event) => event.ipaddr)).toEqual([ipAddress]);
    },
  );

  it('refuses an event type the catalogue does not know, without posting the event', async () => {
    const result = await run(CREATE, { input: { eventTypeId: '999999' } });
    // At most one catalogue refresh (new types appear over time); never the XML endpoint.
    const refreshes = gateway.upstreamCalls()['GET /api/1/events/types'] ?? 0;
    expect(result).toEqual({
      data: null,
      extensions: cost(1, refreshes),
      errors: [
        {
          message:
            '`input.eventTypeId` 999999 is not an event type OneLogin knows: see `Query.eventTypes` for the ids.',
          path: ['createEvent'],
          locations: [{ line: 3, column: 5 }],
          extensions: { code: 'BAD_USER_INPUT', argument: 'input.eventTypeId' },
        },
      ],
    });
    expect(refreshes).toBeLessThanOrEqual(1);
    expect(gateway.upstreamCalls()[XML_POST]).toBeUndefined();
  });

  it.each([
    [
      { kind: 'status' as const, status: 503 as const },
      'UPSTREAM_OUTCOME_UNKNOWN',
      unknown(503),
      503,
    ],
    [
      { kind: 'status' as const, status: 500 as const },
      'UPSTREAM_OUTCOME_UNKNOWN',
      unknown(500),
      500,
    ],
    [{ kind: 'drop' as const }, 'UPSTREAM_OUTCOME_UNKNOWN', unknown(null), null],
    [{ kind: 'hang' as const }, 'UPSTREAM_OUTCOME_UNKNOWN', unknown(null), null],
  ])('reports %j as %s and never sends the event twice', async (fault, code, message, status) => {
    gateway.simulator.faults.inject({ ...fault, route: XML_POST, times: 5 });
    const result = await run(CREATE, {
      input: { eventTypeId: '5', customMessage: `fault ${fault.kind}` },
    });
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message,
          path: ['createEvent'],
          locations: [{ line: 3, column: 5 }],
          extensions: { code, upstream: { service: 'onelogin-legacy', status } },
        },
      ],
      extensions: cost(1, 1),
    });
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
  });

  it.each([502, 504, 500] as const)(
    'says the outcome is unknown, never failed, when a proxy answers %i after OneLogin recorded the event',
    async (status) => {
      const customMessage = `after write ${status} ${Date.now()}`;
      gateway.simulator.faults.inject({ kind: 'afterWrite', status, route: XML_POST });
      const result = await run(CREATE, { input: { eventTypeId: '5', customMessage } });
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message: unknown(status),
            path: ['createEvent'],
            locations: [{ line: 3, column: 5 }],
            extensions: {
              code: 'UPSTREAM_OUTCOME_UNKNOWN',
              upstream: { service: 'onelogin-legacy', status },
            },
          },
        ],
        extensions: cost(1, 1),
      });
      expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
      const recorded = gateway.simulator.data
        .events()
        .filter((event) => event.custom_message === customMessage);
      expect(recorded).toHaveLength(1);
    },
  );

  it('says the outcome is unknown when OneLogin answers too late, and the late event is recorded once', async () => {
    const customMessage = `late ${Date.now()}`;
    gateway.simulator.faults.inject({ kind: 'delay', ms: 800, route: XML_POST });
    const result = await run(CREATE, { input: { eventTypeId: '5', customMessage } });
    expect(result.errors).toEqual([
      expect.objectContaining({
        extensions: {
          code: 'UPSTREAM_OUTCOME_UNKNOWN',
          upstream: { service: 'onelogin-legacy', status: null },
        },
      }),
    ]);
    // The simulator counts a request when it answers, after the delay.
    while (gateway.upstreamCalls()[XML_POST] === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
    const recorded = gateway.simulator.data
      .events()
      .filter((event) => event.custom_message === customMessage);
    expect(recorded).toHaveLength(1);
  });

  it('does not record an event OneLogin answered with a 503', async () => {
    const customMessage = `unavailable ${Date.now()}`;
    gateway.simulator.faults.inject({ kind: 'status', status: 503, route: XML_POST });
    await run(CREATE, { input: { eventTypeId: '5', customMessage } });
    expect(
      gateway.simulator.data.events().filter((event) => event.custom_message === customMessage),
    ).toEqual([]);
  });

  it('never shows or logs the API key', async () => {
    const credential = Buffer.from(`${DEMO_CREDENTIALS.apiKey}:x`).toString('base64');
    const leaks = (texts: string[]) =>
      texts.filter((text) => text.includes(DEMO_CREDENTIALS.apiKey) || text.includes(credential));
    expect(responses.length).toBeGreaterThan(10);
    expect(leaks(responses)).toEqual([]);
    expect(leaks(gateway.logs)).toEqual([]);
  });
});

describe('Mutation.createEvent with a refused API key', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { ONELOGIN_API_KEY: 'not-the-accounts-key' } });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('answers UPSTREAM_AUTH_FAILED naming the setting to check, without the key', async () => {
    const result: GraphQLResponse = await gateway.execute(CREATE, { input: { eventTypeId: '5' } });
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message:
            "OneLogin rejected the gateway's legacy API key (check ONELOGIN_API_KEY) (HTTP 401)",
          path: ['createEvent'],
          locations: [{ line: 3, column: 5 }],
          extensions: {
            code: 'UPSTREAM_AUTH_FAILED',
            upstream: { service: 'onelogin-legacy', status: 401 },
          },
        },
      ],
      // The catalogue (this gateway's first request), then the write OneLogin refused.
      extensions: cost(2, 2),
    });
    expect(gateway.logs.filter((line) => line.includes('not-the-accounts-key'))).toEqual([]);
  });
});
