/**
 * Who may subscribe to `eventAdded`, and what each subscriber receives:
 * credentials in the connection parameters or the upgrade request's headers,
 * checked by the same Authenticator as queries; a self-scoped subscriber
 * receives only its own events; a token's expiry closes its connection.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  connectLive,
  type LiveConnection,
  liveDataNow,
  subscribersReach,
  waitFor,
} from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const EVENT_ADDED = `
  subscription Live($filter: EventFilter) { eventAdded(filter: $filter) { id userId } }
`;

const SELF_USER = 41_001;
const OTHER_USER = 41_002;

describe('eventAdded: authentication and scopes', () => {
  let simulator: SimulatorHandle;
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  const connections: LiveConnection[] = [];
  const connect = (options?: Parameters<typeof connectLive>[1]) => {
    const connection = connectLive(gateway.url, options);
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 200 });
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        LIVE_POLL_INTERVAL_SECONDS: '0.2',
        LIVE_LEASE_SECONDS: '2',
        AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '0',
      }),
    });
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await subscribersReach(gateway, 0);
  });

  afterAll(async () => {
    await gateway.stop();
    await idp.close();
    await simulator.close();
  });

  it('closes a connection without credentials with 4401 and the reason', async () => {
    const subscription = connect().subscribe(EVENT_ADDED);
    expect(await subscription.ended).toEqual({
      kind: 'closed',
      code: 4401,
      reason: expect.stringMatching(
        /^This gateway needs credentials: send `Authorization: Bearer <access token>`/,
      ),
    });
  });

  it('closes a connection whose token is not valid with 4401, without repeating the token', async () => {
    const token = `${await idp.sign({ scope: 'events:read' })}x`;
    const subscription = connect({
      connectionParams: { authorization: `Bearer ${token}` },
    }).subscribe(EVENT_ADDED);
    const ended = await subscription.ended;
    expect(ended).toMatchObject({ kind: 'closed', code: 4401 });
    expect(JSON.stringify(ended)).not.toContain(token.slice(-20));
  });

  it('accepts the token in the upgrade request headers too', async () => {
    const token = await idp.sign({ scope: 'events:read' });
    const subscription = connect({ headers: { authorization: `Bearer ${token}` } }).subscribe(
      EVENT_ADDED,
    );
    await subscribersReach(gateway, 1);
    const [event] = simulator.live.emit(1);
    await subscription.waitForResults(1);
    expect(subscription.results).toEqual([
      { data: { eventAdded: { id: String(event?.id), userId: expect.anything() } } },
    ]);
  });

  it("delivers to a self-scoped subscriber only its own events, and refuses another user's filter", async () => {
    const token = await idp.sign({ sub: String(SELF_USER), scope: 'events:read:self' });
    const connection = connect({ connectionParams: { authorization: `Bearer ${token}` } });
    const own = connection.subscribe(EVENT_ADDED);
    const others = connection.subscribe(EVENT_ADDED, { filter: { userId: String(OTHER_USER) } });
    expect(await others.ended).toEqual({ kind: 'complete' });
    expect(others.results).toEqual([
      {
        errors: [
          expect.objectContaining({
            extensions: { code: 'FORBIDDEN' },
          }),
        ],
      },
    ]);
    await subscribersReach(gateway, 1);
    const mine = simulator.live.emit(1, { userId: SELF_USER });
    simulator.live.emit(2, { userId: OTHER_USER });
    const mineToo = simulator.live.emit(1, { userId: SELF_USER });
    await own.waitForResults(2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(own.results).toEqual(
      [...mine, ...mineToo].map((event) => ({
        data: { eventAdded: { id: String(event.id), userId: String(SELF_USER) } },
      })),
    );
  });

  it('closes the connection with 4401 when its token expires', async () => {
    const token = await idp.sign({ scope: 'events:read', expiresIn: 2 });
    const subscription = connect({
      connectionParams: { authorization: `Bearer ${token}` },
    }).subscribe(EVENT_ADDED);
    expect(await subscription.ended).toEqual({
      kind: 'closed',
      code: 4401,
      reason: expect.stringMatching(
        /^The token expired at \d{4}-\d\d-\d\dT[\d:.]+Z: reconnect with a new one/,
      ),
    });
  });
});

describe('eventAdded with trusted documents enforced', () => {
  const TRUSTED = 'subscription Logins { eventAdded(filter: { eventTypeIds: ["5"] }) { id } }';
  let simulator: SimulatorHandle;
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let dir: string;
  const connections: LiveConnection[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 100 });
    idp = await startTestIdentityProvider();
    dir = mkdtempSync(path.join(tmpdir(), 'live-trusted-'));
    const file = path.join(dir, 'persisted-documents.json');
    writeFileSync(
      file,
      JSON.stringify({ [createHash('sha256').update(TRUSTED, 'utf8').digest('hex')]: TRUSTED }),
    );
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        TRUSTED_DOCUMENTS: 'enforce',
        TRUSTED_DOCUMENTS_FILE: file,
        LIVE_POLL_INTERVAL_SECONDS: '0.2',
        LIVE_LEASE_SECONDS: '2',
      }),
    });
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await gateway.stop();
    await idp.close();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a trusted subscription and refuses any other document, as over HTTP', async () => {
    const token = await idp.sign({ scope: 'events:read' });
    const connection = connectLive(gateway.url, {
      connectionParams: { authorization: `Bearer ${token}` },
    });
    connections.push(connection);
    const other = connection.subscribe('subscription { eventAdded { id } }');
    expect(await other.ended).toEqual({
      kind: 'errors',
      errors: [
        {
          message:
            'This gateway only runs trusted documents: send the `documentId` of a document your client was built with ' +
            '(or use a credential with the scope graphql:any-operation).',
          extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED' },
        },
      ],
    });
    const trusted = connection.subscribe(TRUSTED);
    await subscribersReach(gateway, 1);
    // The simulator's new events are of every kind; logins (type 5) are among the commonest.
    const logins = simulator.live.emit(40).filter((event) => event.event_type_id === 5);
    expect(logins.length).toBeGreaterThan(0);
    await trusted.waitForResults(logins.length);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(trusted.results).toEqual(
      logins.map((event) => ({ data: { eventAdded: { id: String(event.id) } } })),
    );
  });
});

describe('eventAdded: subscriptions per caller (LIVE_SUBSCRIPTIONS_PER_CALLER_MAX)', () => {
  let simulator: SimulatorHandle;
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  const connections: LiveConnection[] = [];
  const as = async (sub: string) => {
    const token = await idp.sign({ sub, scope: 'events:read' });
    const connection = connectLive(gateway.url, {
      connectionParams: { authorization: `Bearer ${token}` },
    });
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 200 });
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        // Slow enough that no poll falls between the two checks of OneLogin's calls below.
        LIVE_POLL_INTERVAL_SECONDS: '2',
        LIVE_LEASE_SECONDS: '5',
        LIVE_SUBSCRIPTIONS_PER_CALLER_MAX: '2',
      }),
    });
  });

  afterAll(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await gateway.stop();
    await idp.close();
    await simulator.close();
  });

  it('refuses a caller its third subscription before any OneLogin call, leaves other callers alone, and gives the place back when one ends', async () => {
    const alice = await as('alice');
    const first = alice.subscribe(EVENT_ADDED);
    const second = alice.subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 2);
    // The feed's poller calls OneLogin every 2 s for everyone: start counting right
    // after one of its polls, so that what is counted is the third subscription's.
    gateway.resetUpstreamCalls();
    await waitFor(
      () => (gateway.upstreamCalls()['GET /api/1/events'] ?? 0) > 0,
      5_000,
      () => 'a poll of the live feed',
    );
    gateway.resetUpstreamCalls();

    // The third, on another connection of the same caller: refused at subscribe time.
    const third = (await as('alice')).subscribe(EVENT_ADDED);
    expect(await third.ended).toEqual({ kind: 'complete' });
    expect(third.results).toEqual([
      {
        errors: [
          {
            message:
              'This caller already holds 2 live subscriptions on this gateway replica (LIVE_SUBSCRIPTIONS_PER_CALLER_MAX): end one before starting another.',
            locations: [{ line: 2, column: 45 }],
            path: ['eventAdded'],
            extensions: {
              code: 'OPERATION_LIMIT_EXCEEDED',
              limit: 'subscriptionsPerCaller',
              max: 2,
            },
          },
        ],
      },
    ]);
    expect(gateway.upstreamCalls()).toEqual({});

    // Another caller has places of its own.
    const bob = (await as('bob')).subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 3);

    // Once one of alice's ends, she may subscribe again.
    first.stop();
    await subscribersReach(gateway, 2);
    const again = alice.subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 3);
    const [event] = simulator.live.emit(1);
    const delivered = {
      data: { eventAdded: { id: String(event?.id), userId: expect.anything() } },
    };
    for (const subscription of [second, bob, again]) {
      expect(await subscription.waitForResults(1)).toEqual([delivered]);
    }
  });
});
