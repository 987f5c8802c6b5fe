/**
 * Thousands of random and malformed requests: bad paths, parameters, headers, bodies, methods and
 * raw bytes. The simulator must answer each with a 4xx (or a 2xx) in a readable shape, never a
 * 5xx, never hang, and afterwards still answer a normal request correctly.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { SimulatorHandle } from '../../src/simulator';
import { createRandom } from '../../src/simulator/createRandom';
import type { Random } from '../../src/simulator/createRandom';
import { FIXED_NOW, basic, getEvents, getToken } from './helpers/simulatorClient';

interface Fired {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: string;
}

const PATHS = [
  '/api/1/events',
  '/api/1/events/',
  '/api/1/events/types',
  '/api/1/events/ID',
  '/api/1/events/99999999999',
  '/api/1/events/-1',
  '/api/1/events/1e5',
  '/api/1/events/%zz',
  '/api/1/events/%F0%9F%98%80',
  '/api/1/events/types/extra',
  '/api/1/events.json',
  '/api/1/users',
  '/api/2/events',
  '/auth/oauth2/v2/token',
  '/auth/oauth2/token',
  '/auth/oauth2/revoke',
  '/auth/rate_limit',
  '/api/v1/events.xml',
  '/api/v1/events',
  '/api/v1/logins/failed_provisioning.json',
  '//api/1/events',
  '/',
  '/favicon.ico',
  '/__simulator/health',
  '/__simulator/counters',
  '/%2e%2e/%2e%2e/etc/passwd',
  `/api/1/events/${'9'.repeat(400)}`,
  `/${'a/'.repeat(300)}`,
];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const PARAMS = [
  'limit',
  'sort',
  'fields',
  'after_cursor',
  'before_cursor',
  'since',
  'until',
  'created_at',
  'id',
  'user_id',
  'directory_id',
  'event_type_id',
  'client_id',
  'resolution',
  'grant_type',
  'start_date',
  'stop_date',
  'page',
  'user_name',
];

function value(random: Random): string {
  return random.pick<() => string>([
    () => String(random.int(-5, 60)),
    () => '2147483648',
    () => '99999999999999999999999',
    () => '-2147483649',
    () => '1.5',
    () => '0x10',
    () => '',
    () => ' ',
    () => '+id',
    () => '-created_at',
    () => ' created_at',
    () => '%2Bid',
    () => 'id,created_at',
    () => '5,6,,7',
    () => '5,abc',
    () => '2025-05-20T10:00:00Z',
    () => '2025-05-20T10:00:00.123+02:00',
    () => '2025-02-30T00:00:00Z',
    () => 'yesterday',
    () => '%zz%',
    () => '%00',
    () => 'null',
    () => 'undefined',
    () => '[]',
    () => '{"a":1}',
    () => 'ü😀\u202e',
    () => 'a'.repeat(random.int(100, 5000)),
    () => Buffer.from(random.hex(random.int(1, 80))).toString('base64'),
    () =>
      Buffer.from('account_id:::53413--##sort:::+id--##created_at:::bad--##id:::1').toString(
        'base64',
      ),
    () => 'client_credentials',
  ])();
}

function query(random: Random): string {
  const parts: string[] = [];
  for (let i = random.int(0, 6); i > 0; i--) {
    const name = random.chance(0.9) ? random.pick(PARAMS) : random.hex(random.int(1, 8));
    const raw = value(random);
    parts.push(
      `${name}=${random.chance(0.5) ? encodeURIComponent(raw) : raw.replace(/[^\x21-\x7e]/g, '')}`,
    );
  }
  if (random.chance(0.05)) parts.push('&&=&');
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function authorization(random: Random, token: string): string | undefined {
  return random.pick<() => string | undefined>([
    () => undefined,
    () => `Bearer ${token}`,
    () => `bearer:${token}`,
    () => `Bearer ${token}x`,
    () => 'Bearer',
    () => `Bearer ${token} ${token}`,
    () => basic(DEMO_CREDENTIALS.apiKey, 'x'),
    () => basic(DEMO_CREDENTIALS.clientId, DEMO_CREDENTIALS.clientSecret),
    () => `client_id:${DEMO_CREDENTIALS.clientId}, client_secret:${DEMO_CREDENTIALS.clientSecret}`,
    () => 'client_id:, client_secret:',
    () => `Basic ${random.hex(20)}`,
    () => 'Basic ====',
    () => `Digest ${random.hex(10)}`,
    () => 'x'.repeat(random.int(1, 8000)),
  ])();
}

function body(random: Random): Buffer | string | undefined {
  return random.pick<() => Buffer | string | undefined>([
    () => undefined,
    () => '{"grant_type":"client_credentials"}',
    () => '{"grant_type":',
    () => '[1,2,3]',
    () => 'null',
    () => `{"access_token":"${random.hex(64)}"}`,
    () => 'grant_type=client_credentials&client_id=a&client_secret=b',
    () =>
      `<event><event-type-id>${random.int(-3, 600)}</event-type-id><user-name>${random.hex(8)}</user-name></event>`,
    () => `<event><event-type-id>5</event-type-id><${random.hex(4)}>x</${random.hex(4)}></event>`,
    () => '<event><event-type-id>5</event-type-id><user-name>&bad;</user-name></event>',
    () =>
      '<event><event-type-id>5</event-type-id><user-name><![CDATA[unterminated</user-name></event>',
    () => `<?xml version="1.0"?>${'<event>'.repeat(random.int(1, 3000))}`,
    () => '<!DOCTYPE a [<!ENTITY b "c">]><event>&b;</event>',
    () => Buffer.from(Array.from({ length: random.int(1, 2000) }, () => random.int(0, 255))),
    () => 'x'.repeat(1_100_000),
  ])();
}

const CONTENT_TYPES = [
  'application/json',
  'application/xml',
  'text/xml',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml; charset=latin1',
  ';;;',
];

function send(
  simulator: SimulatorHandle,
  agent: http.Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload: Buffer | string | undefined,
): Promise<Fired> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${simulator.url}${path}`,
      { method, headers, agent, timeout: 5000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            method,
            path,
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timed out: ${method} ${path}`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Over 1 MiB the simulator answers 413 and closes before reading everything.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
        resolve({ method, path, status: 413, contentType: '', body: '' });
      } else reject(error);
    });
    request.end(payload);
  });
}

/** Writes raw bytes and reads until the server closes or answers. */
function raw(simulator: SimulatorHandle, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(simulator.port, '127.0.0.1');
    let received = '';
    const done = (): void => {
      socket.destroy();
      resolve(received);
    };
    socket.setTimeout(1000, done);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.end(bytes);
  });
}

const RAW_REQUESTS = [
  'GARBAGE\r\n\r\n',
  'GET\r\n\r\n',
  'GET /api/1/events HTTP/9.9\r\n\r\n',
  'GET /api/1/events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'GET /api/1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n',
  'POST /api/v1/events.xml HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  'GET /api/1/events HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
  'GET /api/1/events HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n',
  'GET /api/1/events?since=2025 01 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/1/events HTTP/1.1\r\nHost: \r\n\r\n',
  'GET http://evil.example/api/1/events/types HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/1/events/types HTTP/1.1\r\nHost: evil"><script>\r\n\r\n',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  `GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`,
  'POST /auth/oauth2/v2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"grant',
];

describe('the simulator under random and malformed requests', () => {
  let simulator: SimulatorHandle;
  let token: string;
  const fired: Fired[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 2000,
      seed: 3,
      rateLimitPerHour: 1_000_000,
    });
    token = await getToken(simulator);
  });
  afterAll(() => simulator.close());

  it('answers 3 000 random requests without a 5xx and in a readable shape', async () => {
    const random = createRandom(2024, 'fuzz');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    try {
      for (let batch = 0; batch < 120; batch++) {
        const requests = Array.from({ length: 25 }, () => {
          const headers: Record<string, string> = {};
          const template = random.pick(PATHS);
          const legacy = template.startsWith('/api/v1/');
          const auth =
            legacy && random.chance(0.6)
              ? basic(DEMO_CREDENTIALS.apiKey, 'x')
              : authorization(random, token);
          if (auth !== undefined) headers.Authorization = auth;
          if (legacy && random.chance(0.6)) headers['Content-Type'] = 'application/xml';
          else if (random.chance(0.6)) headers['Content-Type'] = random.pick(CONTENT_TYPES);
          if (random.chance(0.1)) headers[`X-${random.hex(6)}`] = random.hex(random.int(0, 40));
          if (random.chance(0.05)) headers.Host = random.pick(['', 'evil.example:1', '[::1]:9']);
          const natural = /token|revoke|events\.xml/.test(template) ? 'POST' : 'GET';
          const method = random.chance(0.8) ? natural : random.pick(METHODS);
          const path = template.replace(
            'ID',
            String(simulator.data.events()[random.int(0, 1999)]?.id),
          );
          const payload =
            method === 'GET' || method === 'HEAD'
              ? random.chance(0.05)
                ? body(random)
                : undefined
              : body(random);
          return send(simulator, agent, method, `${path}${query(random)}`, headers, payload);
        });
        fired.push(...(await Promise.all(requests)));
      }
    } finally {
      agent.destroy();
    }

    expect(fired).toHaveLength(3000);
    expect(fired.filter((answer) => answer.status >= 500 || answer.status < 200)).toEqual([]);
    const unreadable = fired.filter((answer) => {
      if (answer.method === 'HEAD' || answer.body === '') return false;
      if (!answer.contentType.startsWith('application/json')) return false;
      try {
        const parsed = JSON.parse(answer.body) as { status?: { error: boolean; code: number } };
        return (
          answer.status >= 400 &&
          (parsed.status?.error !== true || parsed.status.code !== answer.status)
        );
      } catch (_error) {
        return true;
      }
    });
    expect(unreadable).toEqual([]);
    // The mix reached past validation into every kind of answer.
    expect([...new Set(fired.map((answer) => answer.status))].sort()).toEqual(
      expect.arrayContaining([200, 201, 400, 401, 404, 413, 415]),
    );
  });

  it('answers raw malformed HTTP with a 4xx or a closed connection', async () => {
    const answers = await Promise.all(RAW_REQUESTS.map((bytes) => raw(simulator, bytes)));

    for (const answer of answers) {
      expect(answer === '' || /^HTTP\/1\.[01] [24]\d\d /.test(answer)).toBe(true);
    }
  });

  it('still answers a normal request correctly afterwards', async () => {
    const fresh = await getToken(simulator);
    const page = await getEvents(simulator, fresh, 'limit=5&sort=-id&event_type_id=5');
    const expected = simulator.data
      .events()
      .filter((event) => event.event_type_id === 5)
      .slice(-5)
      .reverse();

    expect(page.data).toEqual(expected);
    const statuses = Object.values(simulator.counters.snapshot().byRoute).flatMap((route) =>
      Object.keys(route.byStatus),
    );
    expect(statuses.filter((status) => !/^[234]\d\d$/.test(status))).toEqual([]);
  });
});
