import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import type { EventRecord, FaultInjection } from '../../src/simulator';
import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';
import { cost } from '../helpers/cost';
import { TEST_NOW } from '../helpers/testClock';

/**
 * `createEvent`'s `idempotencyKey` through the real server over HTTP, against
 * the simulator: replays, reused keys, retries after an unknown outcome (the
 * event recorded or not), concurrent duplicates, callers, bad keys, and two
 * replicas sharing Redis.
 */

const XML_POST = 'POST /api/v1/events.xml';
const LIST = 'GET /api/1/events';

const CREATE = `
  mutation Create($input: CreateEventInput!) {
    createEvent(input: $input) {
      outcome
      replayed
      event { eventTypeId eventType { id name } recordedAt userId customMessage ipAddress }
    }
  }
`;

interface CreatePayload {
  createEvent: {
    outcome: 'CREATED' | 'FOUND_RECORDED';
    replayed: boolean;
    event: {
      eventTypeId: string;
      eventType: { id: string; name: string };
      recordedAt: string;
      userId: string | null;
      customMessage: string | null;
      ipAddress: string | null;
    };
  };
}

/** The unknown outcome of a write sent with a key. */
const unknownWithKey = (status: number | null) =>
  'The event may or may not have been recorded by OneLogin: no answer, or a server error from OneLogin or a proxy ' +
  `in front of it, came back after it was sent${status === null ? '' : ` (HTTP ${status})`}. It was not retried. ` +
  'Retry with the same `idempotencyKey` and input: the gateway then looks for the event in OneLogin before it writes it again, so it is recorded once.';

/** An API key as `npm run api-key` makes it, with its file entry. */
function makeApiKey(name: string) {
  const key = `olgw_${randomBytes(32).toString('base64url')}`;
  return {
    headers: { 'x-api-key': key },
    entry: {
      name,
      sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
      scopes: ['events:read', 'events:write'],
    },
  };
}

const alice = makeApiKey('alice-app');
const bob = makeApiKey('bob-app');
let keysDir: string;
let keysFile: string;

beforeAll(() => {
  keysDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-idempotency-'));
  keysFile = path.join(keysDir, 'api-keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: [alice.entry, bob.entry] }));
});
afterAll(() => {
  rmSync(keysDir, { recursive: true, force: true });
});

/** A unique input: its custom message finds its events in the simulator. */
function newInput(extra: Record<string, unknown> = {}) {
  return {
    eventTypeId: '9',
    userId: '88888',
    customMessage: `idempotency ${randomUUID()}`,
    idempotencyKey: randomUUID(),
    ...extra,
  };
}

/** The answers with data first, then the refusals. */
function sortedByOutcome<T extends GraphQLResponse<unknown>>(results: T[]): T[] {
  return [...results].sort(
    (a, b) => Number(a.errors !== undefined) - Number(b.errors !== undefined),
  );
}

function recordedWith(simulator: SimulatorHandle, customMessage: string): EventRecord[] {
  return simulator.data.events().filter((event) => event.custom_message === customMessage);
}

/**
 * The payload a successful write answers, with what it cost: one call estimated
 * (the write; the catalogue is warm), and `actual` calls made (none for a replay).
 */
function createdPayload(
  input: ReturnType<typeof newInput>,
  outcome = 'CREATED',
  replayed = false,
  actual = replayed ? 0 : 1,
) {
  return {
    extensions: cost(1, actual),
    data: {
      createEvent: {
        outcome,
        replayed,
        event: {
          eventTypeId: input.eventTypeId,
          eventType: { id: '9', name: 'USER_FAILED_APP_LOGIN' },
          recordedAt: expect.any(String),
          userId: input.userId,
          customMessage: input.customMessage,
          ipAddress: null,
        },
      },
    },
  };
}

describe('Mutation.createEvent with an idempotencyKey', () => {
  let gateway: TestGateway;

  const create = (
    input: Record<string, unknown>,
    headers: Record<string, string> = alice.headers,
  ): Promise<GraphQLResponse<CreatePayload>> =>
    gateway.executeAs<CreatePayload>(headers, CREATE, { input });

  const inject = (fault: FaultInjection) =>
    gateway.simulator.faults.inject({ route: XML_POST, ...fault });

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        AUTH_MODE: 'api-key',
        AUTH_API_KEYS_FILE: keysFile,
        UPSTREAM_TIMEOUT_MS: '500',
        UPSTREAM_WRITE_TIMEOUT_MS: '500',
      },
    });
    // Warm the token and the catalogue, so that counters show only the calls under test.
    await gateway.executeAs(
      alice.headers,
      `query { eventTypes { id } events(first: 1) { nodes { id } } }`,
    );
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.simulator.faults.clear();
    gateway.resetUpstreamCalls();
  });

  it('answers a retry after a success with the first answer, replayed, without calling OneLogin', async () => {
    const input = newInput();
    const first = await create(input);
    expect(first).toEqual(createdPayload(input));
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
    gateway.resetUpstreamCalls();

    const again = await create(input);
    expect(again).toEqual(createdPayload(input, 'CREATED', true));
    expect(again.data!.createEvent.event).toEqual(first.data!.createEvent.event);
    // Ids in another form are the same input.
    const padded = await create({ ...input, eventTypeId: '009', userId: '0088888' });
    expect(padded.data!.createEvent).toEqual(again.data!.createEvent);
    expect(gateway.upstreamCalls()).toEqual({});
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);
  });

  it('refuses the same key with a different input, before any upstream call', async () => {
    const input = newInput();
    await create(input);
    gateway.resetUpstreamCalls();

    const result = await create({ ...input, customMessage: `${input.customMessage} (edited)` });
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message:
            'This `idempotencyKey` was used in the last 24 hours for a different input; nothing was sent. ' +
            'A key stands for one event: make a new key for a new event, and send an unchanged input with every retry.',
          path: ['createEvent'],
          locations: [{ line: 3, column: 5 }],
          extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argument: 'input.idempotencyKey' },
        },
      ],
      // The estimate cannot know the key was used: the write it would make, none made.
      extensions: cost(1, 0),
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each([502, 504, 500] as const)(
    'finds the event after a %i that came back once OneLogin had recorded it, and writes nothing more',
    async (status) => {
      const input = newInput();
      inject({ kind: 'afterWrite', status });
      const first = await create(input);
      expect(first).toEqual({
        data: null,
        errors: [
          {
            message: unknownWithKey(status),
            path: ['createEvent'],
            locations: [{ line: 3, column: 5 }],
            extensions: {
              code: 'UPSTREAM_OUTCOME_UNKNOWN',
              upstream: { service: 'onelogin-legacy', status },
            },
          },
        ],
        // The write, sent once and not retried.
        extensions: cost(1, 1),
      });
      const [recorded] = recordedWith(gateway.simulator, input.customMessage);
      gateway.resetUpstreamCalls();

      // One call, the look-up (the list), and no write.
      const retry = await create(input);
      expect(retry).toEqual(createdPayload(input, 'FOUND_RECORDED', false, 1));
      // The event's own creation time, as OneLogin lists it.
      expect(retry.data!.createEvent.event.recordedAt).toBe(recorded!.created_at);
      expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });
      expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);

      gateway.resetUpstreamCalls();
      const replay = await create(input);
      expect(replay.data!.createEvent).toEqual({ ...retry.data!.createEvent, replayed: true });
      expect(gateway.upstreamCalls()).toEqual({});
    },
  );

  it.each<[string, FaultInjection, number | null]>([
    ['the connection dropped before an answer', { kind: 'drop' }, null],
    ['no answer in time', { kind: 'hang' }, null],
    ['a 503 from the load balancer', { kind: 'status', status: 503 }, 503],
  ])('writes once when the first attempt was not recorded (%s)', async (_what, fault, status) => {
    const input = newInput();
    inject(fault);
    const first = await create(input);
    expect(first.errors).toEqual([
      expect.objectContaining({
        message: unknownWithKey(status),
        extensions: {
          code: 'UPSTREAM_OUTCOME_UNKNOWN',
          upstream: { service: 'onelogin-legacy', status },
        },
      }),
    ]);
    expect(recordedWith(gateway.simulator, input.customMessage)).toEqual([]);
    gateway.resetUpstreamCalls();

    // Two calls, the look-up and the write, where one was estimated (see the report of the estimate).
    const retry = await create(input);
    expect(retry).toEqual(createdPayload(input, 'CREATED', false, 2));
    expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1, [XML_POST]: 1 });
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);
  });

  it('looks back to the first attempt: lost, then recorded behind a 502, then found', async () => {
    const input = newInput();
    inject({ kind: 'drop' });
    inject({ kind: 'afterWrite', status: 502 });
    expect((await create(input)).errors?.[0]?.extensions?.['code']).toBe(
      'UPSTREAM_OUTCOME_UNKNOWN',
    );
    expect((await create(input)).errors?.[0]?.extensions?.['code']).toBe(
      'UPSTREAM_OUTCOME_UNKNOWN',
    );
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);
    gateway.resetUpstreamCalls();

    const third = await create(input);
    expect(third).toEqual(createdPayload(input, 'FOUND_RECORDED', false, 1));
    expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);
  });

  it('does not take an identical event another key already found for its own', async () => {
    // Two twins, each recorded behind a 502: each retry must find one, never the same one.
    const input = newInput();
    const twin = { ...input, idempotencyKey: randomUUID() };
    inject({ kind: 'afterWrite', status: 502, times: 2 });
    await create(input);
    await create(twin);
    const recorded = recordedWith(gateway.simulator, input.customMessage);
    expect(recorded).toHaveLength(2);

    const first = await create(input);
    const second = await create(twin);
    expect(first.data!.createEvent.outcome).toBe('FOUND_RECORDED');
    expect(second.data!.createEvent.outcome).toBe('FOUND_RECORDED');
    expect([first, second].map((result) => result.data!.createEvent.event.recordedAt)).toEqual(
      recorded.map((event) => event.created_at),
    );
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(2);
  });

  it('keeps a key usable after a refusal that proves nothing was written', async () => {
    const input = newInput();
    // A 4xx from OneLogin: refused, not recorded. The key is as if unused.
    gateway.simulator.faults.inject({ kind: 'rateLimit400', route: XML_POST });
    const refused = await create(input);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_RATE_LIMITED');
    gateway.resetUpstreamCalls();

    const retry = await create(input);
    expect(retry).toEqual(createdPayload(input));
    // Nothing unknown to look for: straight to the write.
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
  });

  it('lets one of two concurrent duplicates write and refuses the other until it is done', async () => {
    const input = newInput();
    // The write is held for 400 ms: the second request comes while the first holds the key.
    inject({ kind: 'delay', ms: 400 });
    const results = await Promise.all([
      create(input),
      new Promise((resolve) => setTimeout(resolve, 100)).then(() => create(input)),
    ]);
    // Whichever got the key first wrote; the other was told to come back.
    expect(sortedByOutcome(results)).toEqual([
      createdPayload(input),
      {
        data: null,
        errors: [
          {
            message:
              'A `createEvent` with this `idempotencyKey` is still running; nothing was sent. Try again in 1 s to get its answer.',
            path: ['createEvent'],
            locations: [{ line: 3, column: 5 }],
            extensions: {
              code: 'IDEMPOTENCY_KEY_IN_USE',
              argument: 'input.idempotencyKey',
              retryAfterSeconds: 1,
            },
          },
        ],
        // Refused before any call while the other holds the key.
        extensions: cost(1, 0),
      },
    ]);

    const after = await create(input);
    expect(after).toEqual(createdPayload(input, 'CREATED', true));
    expect(gateway.upstreamCalls()).toEqual({ [XML_POST]: 1 });
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(1);
  });

  it('keeps each caller’s keys apart: the same key from two callers is two events', async () => {
    const input = newInput();
    const asAlice = await create(input, alice.headers);
    const asBob = await create(input, bob.headers);
    expect(asAlice).toEqual(createdPayload(input));
    expect(asBob).toEqual(createdPayload(input));
    // Nor does another input under the same key clash across callers.
    const other = await create(
      { ...newInput(), idempotencyKey: input.idempotencyKey },
      bob.headers,
    );
    expect(other.errors?.[0]?.extensions?.['code']).toBe('IDEMPOTENCY_KEY_REUSED');
    const fresh = { ...newInput(), idempotencyKey: randomUUID() };
    await create(fresh, alice.headers);
    expect((await create(fresh, bob.headers)).data!.createEvent.replayed).toBe(false);
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(2);
    expect(recordedWith(gateway.simulator, fresh.customMessage)).toHaveLength(2);
  });

  it.each<[string, string, string]>([
    [
      'too short',
      'abc1234',
      '`input.idempotencyKey` must be 8 to 128 characters (got 7): e.g. a UUID made once per event.',
    ],
    [
      'empty',
      '',
      '`input.idempotencyKey` must be 8 to 128 characters (got 0): e.g. a UUID made once per event.',
    ],
    [
      'too long',
      'k'.repeat(129),
      '`input.idempotencyKey` must be 8 to 128 characters (got 129): e.g. a UUID made once per event.',
    ],
    [
      'with a space',
      'order 12345',
      '`input.idempotencyKey` may hold only A-Z, a-z, 0-9, `_` and `-` (character 6 is U+0020): e.g. a UUID made once per event.',
    ],
    [
      'with a letter outside ASCII',
      'clé-0123456',
      '`input.idempotencyKey` may hold only A-Z, a-z, 0-9, `_` and `-` (character 3 is U+00E9): e.g. a UUID made once per event.',
    ],
  ])(
    'refuses a key %s with BAD_USER_INPUT, before any upstream call',
    async (_what, key, message) => {
      const result = await create(newInput({ idempotencyKey: key }));
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message,
            path: ['createEvent'],
            locations: [{ line: 3, column: 5 }],
            extensions: { code: 'BAD_USER_INPUT', argument: 'input.idempotencyKey' },
          },
        ],
        // Refused before any call, yet estimated as the write it would have made.
        extensions: cost(1, 0),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    },
  );

  it('accepts the widest keys the form allows', async () => {
    for (const key of ['a'.repeat(8), `${'Z9_-'.repeat(32)}`]) {
      const input = newInput({ idempotencyKey: key });
      expect(await create(input)).toEqual(createdPayload(input));
    }
  });

  it('leaves a write without a key as it was: unknown, with a pointer to idempotencyKey', async () => {
    const { idempotencyKey: _none, ...input } = newInput();
    inject({ kind: 'afterWrite', status: 502 });
    const result = await create(input);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('send each event with an `idempotencyKey`'),
        extensions: {
          code: 'UPSTREAM_OUTCOME_UNKNOWN',
          upstream: { service: 'onelogin-legacy', status: 502 },
        },
      }),
    ]);
    const again = await create(input);
    expect(again.data!.createEvent).toMatchObject({ outcome: 'CREATED', replayed: false });
    // Without a key nothing is looked for: the retry is a second event.
    expect(recordedWith(gateway.simulator, input.customMessage)).toHaveLength(2);
  });
});

describe('the look-up after an unknown outcome', () => {
  it('is charged to the request’s upstream budget, and a refused write leaves the key to retry', async () => {
    const apiKey = makeApiKey('tight-budget');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-idempotency-budget-'));
    const file = path.join(dir, 'api-keys.json');
    writeFileSync(file, JSON.stringify({ keys: [apiKey.entry] }));
    const gateway = await startTestGateway({
      env: { AUTH_MODE: 'api-key', AUTH_API_KEYS_FILE: file, UPSTREAM_CALLS_PER_REQUEST_MAX: '1' },
    });
    try {
      // The catalogue is cold in this new process: reading it is one call, estimated and made.
      const warm = await gateway.executeAs(apiKey.headers, `query { eventTypes { id } }`);
      expect(warm.extensions).toEqual(cost(1, 1, 1));
      const input = newInput();
      gateway.simulator.faults.inject({ kind: 'status', status: 503, route: XML_POST });
      const first = await gateway.executeAs(apiKey.headers, CREATE, { input });
      expect(first.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_OUTCOME_UNKNOWN');
      expect(first.extensions).toEqual(cost(1, 1, 1));
      gateway.resetUpstreamCalls();

      // One call to look, none left to write.
      const retry = await gateway.executeAs(apiKey.headers, CREATE, { input });
      expect(retry.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BUDGET_EXCEEDED');
      // The estimate (the write) fits the maximum; the write refused by the budget is not charged.
      expect(retry.extensions).toEqual(cost(1, 1, 1));
      expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });
      // Refused before sending: the key still says "unknown", so the next retry looks again.
      gateway.resetUpstreamCalls();
      const again = await gateway.executeAs(apiKey.headers, CREATE, { input });
      expect(again.extensions).toEqual(cost(1, 1, 1));
      expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });
      expect(recordedWith(gateway.simulator, input.customMessage)).toEqual([]);
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    'createEventIdempotency.test.ts: REDIS_URL is not set, so the tests of keys shared through Redis are skipped.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

describeWithRedis('idempotency keys in Redis, shared by replicas', () => {
  let simulator: SimulatorHandle;
  let first: TestGateway;
  let second: TestGateway;
  const namespace = `test-idempotency-${process.pid}-${Date.now()}`;

  const createOn = (gateway: TestGateway, input: Record<string, unknown>) =>
    gateway.executeAs<CreatePayload>(alice.headers, CREATE, { input });

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 500 });
    const env = {
      REDIS_URL: redisURL as string,
      CACHE_NAMESPACE: namespace,
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS_FILE: keysFile,
    };
    first = await startTestGateway({ simulator, env });
    second = await startTestGateway({ simulator, env });
    for (const gateway of [first, second]) {
      await gateway.executeAs(
        alice.headers,
        `query { eventTypes { id } events(first: 1) { nodes { id } } }`,
      );
    }
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
    await simulator.close();
    const client = createClient({ url: redisURL });
    await client.connect();
    const keys = await client.keys(`${namespace}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });
  beforeEach(() => {
    simulator.faults.clear();
    simulator.counters.reset();
  });

  it('replays on one replica what the other wrote, without calling OneLogin', async () => {
    const input = newInput();
    expect(await createOn(first, input)).toEqual(createdPayload(input));
    simulator.counters.reset();
    expect(await createOn(second, input)).toEqual(createdPayload(input, 'CREATED', true));
    expect(second.upstreamCalls()).toEqual({});
    const reused = await createOn(second, { ...input, customMessage: 'something else' });
    expect(reused.errors?.[0]?.extensions?.['code']).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('finds on one replica the event whose write had an unknown outcome on the other', async () => {
    const input = newInput();
    simulator.faults.inject({ kind: 'afterWrite', status: 502, route: XML_POST });
    expect((await createOn(first, input)).errors?.[0]?.extensions?.['code']).toBe(
      'UPSTREAM_OUTCOME_UNKNOWN',
    );
    simulator.counters.reset();
    expect(await createOn(second, input)).toEqual(createdPayload(input, 'FOUND_RECORDED'));
    expect(second.upstreamCalls()).toEqual({ [LIST]: 1 });
    expect(recordedWith(simulator, input.customMessage)).toHaveLength(1);
  });

  it('refuses a duplicate on one replica while the other is writing it', async () => {
    const input = newInput();
    simulator.faults.inject({ kind: 'delay', ms: 500, route: XML_POST });
    const results = await Promise.all([
      createOn(first, input),
      new Promise((resolve) => setTimeout(resolve, 150)).then(() => createOn(second, input)),
    ]);
    const [written, refused] = sortedByOutcome(results);
    expect(written).toEqual(createdPayload(input));
    expect(refused!.errors?.[0]?.extensions).toEqual({
      code: 'IDEMPOTENCY_KEY_IN_USE',
      argument: 'input.idempotencyKey',
      retryAfterSeconds: 1,
    });
    expect(await createOn(second, input)).toEqual(createdPayload(input, 'CREATED', true));
    expect(recordedWith(simulator, input.customMessage)).toHaveLength(1);
  });
});
