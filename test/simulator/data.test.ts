import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator } from '../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../src/simulator';
import { generateDataset } from '../../src/simulator/data/generateDataset';
import { sampleShapeProblems } from './helpers/eventShape';
import { FIXED_NOW } from './helpers/simulatorClient';

const DAY = 86_400_000;

describe('the generated data', () => {
  let simulator: SimulatorHandle;
  let events: ReadonlyArray<EventRecord>;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW });
    events = simulator.data.events();
  });
  afterAll(() => simulator.close());

  const share = (predicate: (event: EventRecord) => boolean) =>
    events.filter(predicate).length / events.length;

  it('holds 20 000 events over the 30 days before now, ids and times ascending together', () => {
    const disordered = events.filter((event, i) => {
      const previous = events[i - 1];
      return (
        previous !== undefined &&
        !(event.id > previous.id && event.created_at >= previous.created_at)
      );
    });

    expect(events).toHaveLength(20_000);
    expect(disordered).toEqual([]);
    expect(Date.parse((events[0] as EventRecord).created_at)).toBeGreaterThanOrEqual(
      FIXED_NOW - 30 * DAY,
    );
    expect(Date.parse((events.at(-1) as EventRecord).created_at)).toBeLessThan(FIXED_NOW);
  });

  it('numbers events in the hundreds of millions, below 2^31', () => {
    expect((events[0] as EventRecord).id).toBeGreaterThan(100_000_000);
    expect((events.at(-1) as EventRecord).id).toBeLessThan(2_147_483_647);
  });

  it('gives every event the sample shape and the account id', () => {
    expect(events.flatMap((event) => sampleShapeProblems(event))).toEqual([]);
    expect(new Set(events.map((event) => event.account_id))).toEqual(new Set([53413]));
  });

  it('is weighted to logins, app logins, failed logins and logouts', () => {
    const counts = new Map<number, number>();
    for (const event of events)
      counts.set(event.event_type_id, (counts.get(event.event_type_id) ?? 0) + 1);
    const top = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([id]) => id);

    expect(top.sort((a, b) => a - b)).toEqual([5, 6, 7, 8]);
    expect(share((event) => [5, 6, 7, 8].includes(event.event_type_id))).toBeGreaterThan(0.7);
    expect(counts.size).toBeGreaterThan(60);
    for (const id of [4, 11, 13, 14, 22, 51, 64, 113, 147, 529, 1400]) {
      expect({ id, seen: (counts.get(id) ?? 0) > 0 }).toEqual({ id, seen: true });
    }
  });

  it('names people "First Last", or by email when they have no names', () => {
    const names = new Set(events.flatMap((event) => [event.user_name, event.actor_user_name]));
    names.delete(null);
    const emails = [...names].filter((name) => name?.includes('@'));

    expect(emails.length).toBeGreaterThan(0);
    expect(
      [...names].filter((name) => !/^(\S+ \S+( \S+)?|[a-z0-9.-]+@[a-z0-9.-]+)$/.test(name ?? '')),
    ).toEqual([]);
    expect(new Set(events.map((event) => event.user_id)).size).toBeGreaterThan(300);
    expect(
      events.filter((event) => event.user_id !== null && !/^\d{8}$/.test(String(event.user_id))),
    ).toEqual([]);
  });

  it('mixes IPv4 and IPv6 addresses', () => {
    const ipv6 = share((event) => event.ipaddr?.includes(':') === true);

    expect(ipv6).toBeGreaterThan(0.01);
    expect(ipv6).toBeLessThan(0.2);
    expect(share((event) => /^\d+\.\d+\.\d+\.\d+$/.test(event.ipaddr ?? ''))).toBeGreaterThan(0.7);
  });

  it('scores login risk 0-100 with newline-separated reasons that add up to the score', () => {
    const logins = events.filter((event) => event.event_type_id === 5);
    const risky = logins.filter((event) => (event.risk_score ?? 0) > 0);

    expect(logins.every((event) => event.risk_score !== null && event.risk_score <= 100)).toBe(
      true,
    );
    expect(risky.some((event) => event.risk_reasons?.includes('\n'))).toBe(true);
    const unbalanced = risky.filter((event) => {
      const parts = (event.risk_reasons as string)
        .split('\n')
        .map((line) => Number(/^.+ \((\d+)%\)$/.exec(line)?.[1]));
      return parts.reduce((sum, part) => sum + part, 0) !== event.risk_score;
    });
    expect(unbalanced).toEqual([]);
    expect(
      share((event) => event.risk_cookie_id !== null && event.browser_fingerprint !== null),
    ).toBeGreaterThan(0.25);
    expect(logins.some((event) => event.notes === 'Authentication method: password.')).toBe(true);
  });

  it('sets a 64-character client_id on API events only', () => {
    const api = events.filter((event) => event.client_id !== null);

    expect(api.length).toBeGreaterThan(50);
    expect(
      api.filter(
        (event) =>
          !/^[a-z0-9]{64}$/.test(event.client_id as string) ||
          ![122, 123, 513, 514, 515, 516, 529, 532, 533].includes(event.event_type_id),
      ),
    ).toEqual([]);
  });

  it('fills app, role, OTP device, directory and error fields where the event is about them', () => {
    const appLogins = events.filter((event) => event.event_type_id === 8);
    const failures = events.filter((event) => [64, 65].includes(event.event_type_id));
    const syncs = events.filter((event) => event.event_type_id === 113);

    expect(appLogins.every((event) => event.app_id !== null && event.app_name !== null)).toBe(true);
    expect(
      events
        .filter((event) => event.event_type_id === 4)
        .every((event) => event.role_id !== null && event.role_name !== null),
    ).toBe(true);
    expect(
      events
        .filter((event) => event.event_type_id === 22)
        .every((event) => event.otp_device_id !== null && event.otp_device_name !== null),
    ).toBe(true);
    expect(failures.every((event) => event.error_description !== null)).toBe(true);
    expect(
      syncs.every((event) => event.directory_id !== null && event.directory_sync_run_id !== null),
    ).toBe(true);
  });

  it('keeps failed provisionings in the window, oldest first, in the seed shape', () => {
    const items = simulator.data.failedProvisionings();

    expect(items).toHaveLength(300);
    expect(items.map((item) => item.created_at)).toEqual(
      items.map((item) => item.created_at).sort(),
    );
    for (const item of items) {
      expect(item).toEqual({
        login_id: expect.any(Number),
        id: expect.any(Number),
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/),
        error_description: item.error_description === null ? null : expect.any(String),
        description: expect.any(String),
        user: {
          email: expect.stringContaining('@'),
          username: expect.any(String),
          id: expect.any(Number),
          lastname: expect.any(String),
          firstname: expect.any(String),
        },
      });
      expect(Date.parse(item.created_at)).toBeGreaterThanOrEqual(FIXED_NOW - 30 * DAY);
    }
    expect(items.some((item) => item.error_description === null)).toBe(true);
    expect(items.some((item) => item.error_description?.includes('\nhttps://'))).toBe(true);
  });
});

describe('determinism', () => {
  const generate = (seed: number, now = FIXED_NOW) =>
    generateDataset({
      seed,
      now,
      eventCount: 2_000,
      failedProvisioningCount: 50,
      accountId: 53413,
      eventTypeIds: [1, 5, 6, 7, 8, 9],
    });

  it('generates the same data from the same seed and now', () => {
    expect(generate(5).events).toEqual(generate(5).events);
    expect(generate(5).failedProvisionings).toEqual(generate(5).failedProvisionings);
  });

  it('generates other data from another seed', () => {
    expect(generate(6).events[0]).not.toEqual(generate(5).events[0]);
  });

  it('serves the same events from two simulators started alike', async () => {
    const [a, b] = await Promise.all([
      startSimulator({ now: FIXED_NOW, eventCount: 500, seed: 9 }),
      startSimulator({ now: FIXED_NOW, eventCount: 500, seed: 9 }),
    ]);
    try {
      expect(a.data.events()).toEqual(b.data.events());
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('generates 20 000 events in well under a second', () => {
    generate(1);
    const started = performance.now();
    generateDataset({
      seed: 2,
      now: FIXED_NOW,
      eventCount: 20_000,
      failedProvisioningCount: 300,
      accountId: 53413,
      eventTypeIds: [5],
    });

    // Plain node takes some 150-300 ms; jest's module sandbox runs the same code 2-3 times
    // slower, and a loaded CI machine slower still.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('the event type catalogue', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 0, failedProvisioningCount: 0 });
  });
  afterAll(() => simulator.close());

  it('serves the documented templates for ids 1-7', () => {
    expect(simulator.data.eventTypes().slice(0, 7)).toEqual([
      { id: 1, name: 'APP_ADDED_TO_ROLE', description: 'App %app% added to role %role%' },
      { id: 2, name: 'APP_REMOVED_FROM_ROLE', description: 'App %app% removed from role %role%' },
      { id: 3, name: 'USER_ASSUMED_USER', description: '%actor_user% assumed %user%' },
      { id: 4, name: 'USER_ASSIGNED_ROLE', description: 'Assigned %role% to user %user%' },
      { id: 5, name: 'USER_LOGGED_INTO_ONELOGIN', description: '%user% logged into OneLogin' },
      { id: 6, name: 'USER_FAILED_ONELOGIN_LOGIN', description: '%user% failed authentication' },
      { id: 7, name: 'USER_LOGGED_OUT_OF_ONELOGIN', description: '%user% logged out of onelogin' },
    ]);
  });

  it.each([
    [8, '%user% logged into %app%'],
    [13, '%user% was created by %actor_user%'],
    [22, '%otp_device% registered for %user%'],
    [29, '%user% logged out of %app%'],
    [72, 'Privilege granted to user %user%'],
    [80, '%user% created in directory %directory%'],
    [156, 'Policy %policy% created'],
    [39, 'Connector broken'],
  ])('composes a template for type %i from its label: %s', (id, description) => {
    expect(simulator.data.eventTypes().find((type) => type.id === id)?.description).toBe(
      description,
    );
  });

  it('leaves the description null where nothing is known, and 3028 nameless', () => {
    const byId = new Map(simulator.data.eventTypes().map((type) => [type.id, type]));

    expect(byId.get(57)).toEqual({ id: 57, name: 'RABBIT_DOWN', description: null });
    expect(byId.get(3028)).toEqual({ id: 3028, name: null, description: null });
    // The 221 labelled types, and 1400, whose KB title is known though it has no label.
    expect(byId.get(1400)?.description).toBe(
      '%user% successfully verified authenticator %otp_device%',
    );
    expect(simulator.data.eventTypes().filter((type) => type.description !== null)).toHaveLength(
      222,
    );
  });

  it('starts with no events when asked to', async () => {
    expect(simulator.data.events()).toEqual([]);
  });
});

describe('start-up options', () => {
  it.each([
    [{ port: 70_000 }, 'port must be an integer from 0 to 65535, not 70000'],
    [{ eventCount: -1 }, 'eventCount must be an integer from 0 to 5000000, not -1'],
    [{ accountId: 1.5 }, 'accountId must be an integer from 1 to 2147483647, not 1.5'],
    [{ clientId: 'has space' }, 'clientId must be non-empty, without spaces, colons or commas'],
    [{ latencyMs: -5 }, 'latencyMs and jitterMs must be from 0 to 600000'],
    [{ faults: { errorRate: 3 } }, 'errorRate must be a number from 0 to 1'],
  ])('refuses %j', async (options, message) => {
    await expect(startSimulator({ eventCount: 0, ...options })).rejects.toThrow(message);
  });

  it('listens where it is told and reports the URL without a trailing slash', async () => {
    const simulator = await startSimulator({ host: '127.0.0.1', port: 0, eventCount: 0 });
    try {
      expect(simulator.url).toBe(`http://127.0.0.1:${simulator.port}`);
    } finally {
      await simulator.close();
    }
  });

  it('logs through the logger it is given', async () => {
    const lines: string[] = [];
    const simulator = await startSimulator({
      eventCount: 0,
      logger: { info: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`) },
    });
    await simulator.close();

    expect(lines).toEqual([
      `OneLogin simulator listening on ${simulator.url} (0 events, seed 1)`,
      'OneLogin simulator closed',
    ]);
  });
});
