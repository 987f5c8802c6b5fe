import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';

import { createLogger } from '../../src/logging/createLogger';
import { HttpTransport } from '../../src/upstream/HttpTransport';
import { LegacyClient } from '../../src/upstream/LegacyClient';

const API_KEY = '0123456789abcdef0123456789abcdef01234567';

/** The seed's sample answer (seed 004), slashes JSON-escaped as OneLogin sends them. */
const SEED_ANSWER = `[
  {"login_id":123456,"id":654321,"created_at":"2014\\/09\\/08 18:17:23 -0700","error_description":null,
   "description":"Internal provisioning error",
   "user":{"email":"johanna@hui.com","username":"jhui","id":101010,"lastname":"Hui","firstname":"Johanna"}},
  {"login_id":234567,"id":765432,"created_at":"2014\\/09\\/09 15:25:23 -0700",
   "error_description":"The connection timed out while provisioning to\\nhttps:\\/\\/lux.onelogin.com\\/sales",
   "description":"Tanja Ono could not be reactivated in Sales App",
   "user":{"email":"tanja@ono.com","username":"tono","id":111111,"lastname":"Ono","firstname":"Tanja"}}
]`;

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

describe('LegacyClient', () => {
  let server: http.Server;
  let client: LegacyClient;
  let transport: HttpTransport;
  let answer: Answer;
  let requests: Recorded[];
  const logs: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logs.push(chunk.toString('utf8'));
          callback();
        },
      }),
    });
    transport = new HttpTransport({
      origin: `http://127.0.0.1:${port}`,
      timeoutMs: 2000,
      maxConnections: 2,
      retries: 0,
      logger,
    });
    client = new LegacyClient({ transport, apiKey: API_KEY, logger });
  });

  afterAll(async () => {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    requests = [];
  });

  async function rejection(call: Promise<unknown>) {
    try {
      await call;
    } catch (error) {
      if (error instanceof GraphQLError)
        return { message: error.message, extensions: error.extensions };
      throw error;
    }
    throw new Error('expected a rejection');
  }

  const RANGE = { startDate: '2014-09-01T00:00:00Z', stopDate: '2014-09-30T00:00:00Z' };

  describe('listFailedProvisionings', () => {
    it('sends the range with HTTP Basic api_key:x and reads the seed answer', async () => {
      answer = { status: 200, headers: { 'content-type': 'application/json' }, body: SEED_ANSWER };
      const items = await client.listFailedProvisionings(RANGE);
      expect(items).toEqual([
        {
          login_id: 123456,
          id: 654321,
          created_at: '2014/09/08 18:17:23 -0700',
          error_description: null,
          description: 'Internal provisioning error',
          user: {
            email: 'johanna@hui.com',
            username: 'jhui',
            id: 101010,
            lastname: 'Hui',
            firstname: 'Johanna',
          },
        },
        {
          login_id: 234567,
          id: 765432,
          created_at: '2014/09/09 15:25:23 -0700',
          error_description:
            'The connection timed out while provisioning to\nhttps://lux.onelogin.com/sales',
          description: 'Tanja Ono could not be reactivated in Sales App',
          user: {
            email: 'tanja@ono.com',
            username: 'tono',
            id: 111111,
            lastname: 'Ono',
            firstname: 'Tanja',
          },
        },
      ]);
      expect(requests).toEqual([
        expect.objectContaining({
          method: 'GET',
          url: '/api/v1/logins/failed_provisioning.json?start_date=2014-09-01T00%3A00%3A00Z&stop_date=2014-09-30T00%3A00%3A00Z',
          body: '',
        }),
      ]);
      expect(requests[0]!.headers.authorization).toBe(
        `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}`,
      );
    });

    it('reads "no failed events" as an empty list', async () => {
      answer = { status: 200, body: '[]' };
      expect(await client.listFailedProvisionings(RANGE)).toEqual([]);
    });

    it.each([
      ['an object instead of an array', '{"data":[]}'],
      ['an item without created_at', '[{"login_id":1,"id":2}]'],
      [
        'a user without an id',
        '[{"created_at":"2014/09/08 18:17:23 -0700","user":{"email":"a@b.c"}}]',
      ],
      ['a non-numeric id', '[{"created_at":"2014/09/08 18:17:23 -0700","id":"abc"}]'],
    ])('reports %s as UPSTREAM_BAD_RESPONSE', async (_name, body) => {
      answer = { status: 200, body };
      expect(await rejection(client.listFailedProvisionings(RANGE))).toEqual({
        message: 'OneLogin sent an answer the gateway could not read (HTTP 200)',
        extensions: {
          code: 'UPSTREAM_BAD_RESPONSE',
          upstream: { service: 'onelogin-legacy', status: 200 },
        },
      });
    });

    it('reports a refused API key as UPSTREAM_AUTH_FAILED, without the upstream body', async () => {
      answer = {
        status: 401,
        headers: { 'content-type': 'text/html' },
        body: 'HTTP Basic: Access denied.\n',
      };
      expect(await rejection(client.listFailedProvisionings(RANGE))).toEqual({
        message:
          "OneLogin rejected the gateway's legacy API key (check ONELOGIN_API_KEY) (HTTP 401)",
        extensions: {
          code: 'UPSTREAM_AUTH_FAILED',
          upstream: { service: 'onelogin-legacy', status: 401 },
        },
      });
    });

    it('reports rate limiting with when to try again', async () => {
      answer = { status: 429, headers: { 'retry-after': '30' }, body: '{"message":"slow down"}' };
      expect(await rejection(client.listFailedProvisionings(RANGE))).toEqual({
        message: "OneLogin's rate limit for the account is spent (HTTP 429)",
        extensions: {
          code: 'UPSTREAM_RATE_LIMITED',
          upstream: { service: 'onelogin-legacy', status: 429 },
          retryAfterSeconds: 30,
        },
      });
    });
  });

  describe('createEvent', () => {
    it('posts the XML document with HTTP Basic api_key:x and accepts 201 with no body', async () => {
      answer = { status: 201 };
      await client.createEvent({ 'event-type-id': '9', 'custom-message': 'a & b' });
      expect(requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          url: '/api/v1/events.xml',
          body:
            '<?xml version="1.0" encoding="UTF-8"?><event><event-type-id>9</event-type-id>' +
            '<custom-message>a &amp; b</custom-message></event>',
        }),
      ]);
      expect(requests[0]!.headers).toMatchObject({
        authorization: `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}`,
        'content-type': 'application/xml; charset=utf-8',
      });
    });

    it.each([
      [400, 'UPSTREAM_REJECTED', 'OneLogin rejected the request the gateway sent (HTTP 400)'],
      [422, 'UPSTREAM_REJECTED', 'OneLogin rejected the request the gateway sent (HTTP 422)'],
      [
        503,
        'UPSTREAM_OUTCOME_UNKNOWN',
        'The write may or may not have been recorded by OneLogin (no answer, or a server error from OneLogin or a proxy in front of it, came back after it was sent); it was not retried: look for the event before you send it again (HTTP 503)',
      ],
    ])(
      'reports HTTP %i as %s, sent once, without the upstream body',
      async (status, code, message) => {
        answer = {
          status,
          headers: { 'content-type': 'application/xml' },
          body: '<errors><error>secret upstream detail</error></errors>',
        };
        expect(await rejection(client.createEvent({ 'event-type-id': '9' }))).toEqual({
          message,
          extensions: { code, upstream: { service: 'onelogin-legacy', status } },
        });
        expect(requests).toHaveLength(1);
      },
    );
  });

  it('never writes the API key or the Basic credential to the log', () => {
    const credential = Buffer.from(`${API_KEY}:x`).toString('base64');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes(API_KEY) || line.includes(credential))).toEqual([]);
  });
});
