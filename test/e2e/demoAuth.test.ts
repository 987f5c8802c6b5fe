import { execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cost } from '../helpers/cost';
import { ROOT, TSX, cleanEnv, spawnGateway, waitFor, exitCode } from '../helpers/gatewayProcess';

const run = promisify(execFile);

/** `npm run token -- …`, its stdout. */
async function token(...args: string[]): Promise<string> {
  const { stdout } = await run(TSX, ['scripts/token.ts', ...args], {
    cwd: ROOT,
    env: cleanEnv({}),
  });
  return stdout;
}

interface LogLine {
  level: number;
  msg: string;
  url?: string;
  [key: string]: unknown;
}

describe('npm start in demo mode: anonymous callers and demo tokens', () => {
  let child: ChildProcessWithoutNullStreams;
  let lines: string[] = [];
  let url: string;

  beforeAll(async () => {
    ({ child, lines } = spawnGateway({ PORT: '0', DEMO_EVENTS: '1000' }));
    const ready = await waitFor(() => logLines().find((line) => line.url));
    url = ready.url as string;
  }, 30_000);

  afterAll(async () => {
    child.kill('SIGTERM');
    const code = await exitCode(child);
    child.kill('SIGKILL');
    expect(code).toBe(0);
  });

  const logLines = () => lines.map((line) => JSON.parse(line) as LogLine);

  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: (await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: unknown[];
        extensions?: Record<string, unknown>;
      },
    };
  }

  it('says at start-up that anonymous callers get every scope and that tokens are checked', () => {
    const warnings = logLines()
      .filter((entry) => entry.level >= 40)
      .map(({ time: _time, pid: _pid, hostname: _hostname, ...rest }) => rest);
    expect(warnings).toEqual([
      {
        level: 40,
        service: 'onelogin-events-gateway',
        simulator: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        seed: 1,
        events: 1000,
        msg: expect.stringMatching(/^DEMO MODE: no OneLogin credentials are configured/),
      },
      {
        level: 40,
        service: 'onelogin-events-gateway',
        methods: ['jwt'],
        anonymous: 'trusted',
        msg: 'Anonymous callers get every scope (demo mode); bearer tokens are checked (jwt).',
      },
    ]);
  });

  it('serves an anonymous caller with every scope', async () => {
    const now = Date.now();
    const read = await post(`{
      me { id }
      eventType(id: "5") { id name }
      events(first: 2) { nodes { id } }
      failedProvisionings(
        startDate: "${new Date(now - 7 * 86_400_000).toISOString()}"
        stopDate: "${new Date(now).toISOString()}"
        first: 1
      ) { totalCount }
    }`);
    expect(read).toEqual({
      status: 200,
      challenge: null,
      body: {
        data: {
          me: null,
          eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' },
          events: { nodes: [{ id: expect.any(String) }, { id: expect.any(String) }] },
          failedProvisionings: { totalCount: expect.any(Number) },
        },
        // The catalogue, a page of events and a failed-provisionings range.
        extensions: cost(3, 3),
      },
    });

    const write = await post(
      'mutation { createEvent(input: { eventTypeId: "5", customMessage: "demo" }) { event { eventTypeId customMessage } } }',
    );
    expect(write).toEqual({
      status: 200,
      challenge: null,
      body: {
        data: { createEvent: { event: { eventTypeId: '5', customMessage: 'demo' } } },
        extensions: cost(1, 1),
      },
    });
  });

  it('accepts a token of `npm run token` and narrows events to its user', async () => {
    const listed = await token('--list-users');
    const users = [...listed.matchAll(/^ {2}(\d+) /gm)].map((match) => match[1] as string);
    expect(users).toHaveLength(10);
    // A small data set leaves some listed users without events: take the first one with some.
    const eventsOf = async (id: string) =>
      post(`{ events(first: 100, filter: { userId: "${id}" }) { nodes { id userId } } }`);
    let user: string | undefined;
    let filtered: Awaited<ReturnType<typeof eventsOf>> | undefined;
    for (const candidate of users) {
      filtered = await eventsOf(candidate);
      const found = filtered.body.data?.['events'] as { nodes: unknown[] } | undefined;
      if (found && found.nodes.length > 0) {
        user = candidate;
        break;
      }
    }
    if (user === undefined || filtered === undefined) throw new Error('no listed user has events');
    const other = users.find((candidate) => candidate !== user) as string;
    const demoToken = (await token('--user', user, '--scopes', 'events:read:self')).trim();
    const headers = { authorization: `Bearer ${demoToken}` };

    const self = await post('{ me { id } events(first: 100) { nodes { id userId } } }', headers);

    expect(self).toEqual({
      status: 200,
      challenge: null,
      body: {
        data: { me: { id: user }, events: (filtered.body.data ?? {})['events'] },
        // Two pages of 50 at most; the user's events fit in the first.
        extensions: cost(2, 1),
      },
    });
    const nodes = (self.body.data?.['events'] as { nodes: Array<{ userId: string }> }).nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((node) => node.userId === user)).toBe(true);

    expect(
      await post(`{ events(first: 1, filter: { userId: "${other}" }) { nodes { id } } }`, headers),
    ).toEqual({
      status: 200,
      challenge: null,
      body: {
        data: null,
        errors: [
          {
            message: `\`events\`: this caller may only read its own events (OneLogin user ${user}), with the scope events:read:self.`,
            locations: [{ line: 1, column: 3 }],
            path: ['events'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
        extensions: cost(1, 0),
      },
    });
  });

  it('refuses a junk bearer with 401 instead of ignoring it', async () => {
    expect(await post('{ eventType(id: "5") { id } }', { authorization: 'Bearer junk' })).toEqual({
      status: 401,
      challenge:
        'Bearer realm="onelogin-events-gateway", error="invalid_token", error_description="The bearer token is not a signed JWT."',
      body: {
        errors: [
          {
            message: 'The bearer token is not a signed JWT.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      },
    });
  });
});
