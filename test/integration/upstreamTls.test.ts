/**
 * OneLogin is reached over HTTPS in production: a gateway process whose
 * ONELOGIN_BASE_URL is https:// talks TLS (checked against the trusted CAs)
 * and keeps its connections alive, and one that does not trust the
 * certificate gets no data, only a typed failure. The simulator stands behind a TLS
 * terminator with a test-only certificate (test/fixtures/tls, valid until
 * 2126), which the gateway trusts through NODE_EXTRA_CA_CERTS.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { SimulatorHandle } from '../../src/simulator';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { Replica } from '../helpers/gatewayProcess';
import { ROOT, startReplica, stopReplica } from '../helpers/gatewayProcess';

const FIXTURES = path.join(ROOT, 'test/fixtures/tls');

interface Terminator {
  origin: string;
  /** TLS sessions set up so far. */
  handshakes(): number;
  close(): Promise<void>;
}

/** TLS on 127.0.0.1 in front of `upstream` (plain HTTP), each connection piped through. */
async function startTlsTerminator(upstream: URL): Promise<Terminator> {
  let handshakes = 0;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: readFileSync(path.join(FIXTURES, 'key.pem')),
      cert: readFileSync(path.join(FIXTURES, 'cert.pem')),
    },
    (secure) => {
      handshakes += 1;
      const plain = net.connect(Number(upstream.port), upstream.hostname);
      for (const socket of [secure, plain]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      }
      secure.pipe(plain).pipe(secure);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    handshakes: () => handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function graphql(url: string, query: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

describe('OneLogin over HTTPS', () => {
  let simulator: SimulatorHandle;
  let terminator: Terminator;
  let gateway: Replica;

  beforeAll(async () => {
    simulator = await startSimulator({ eventCount: 120 });
    terminator = await startTlsTerminator(new URL(simulator.url));
    gateway = await startGateway({ NODE_EXTRA_CA_CERTS: path.join(FIXTURES, 'cert.pem') });
  }, 60_000);

  /** A gateway process whose OneLogin is the terminator, with `extra` settings. */
  const startGateway = (extra: Record<string, string>) =>
    startReplica(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        AUTH_MODE: 'none',
        ONELOGIN_BASE_URL: terminator.origin,
        ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
        ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
        ...extra,
      },
      ROOT,
    );

  afterAll(async () => {
    await stopReplica(gateway);
    await terminator?.close();
    await simulator?.close();
  });

  it('answers from OneLogin through TLS, one call after another on one kept-alive connection', async () => {
    const query = '{ events(first: 3) { nodes { id eventType { name } } } }';

    const first = await graphql(gateway.url, query);
    const second = await graphql(gateway.url, query);

    const names = new Map(simulator.data.eventTypes().map((type) => [type.id, type.name]));
    const newest = [...simulator.data.events()]
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      .slice(0, 3)
      .map((event) => ({
        id: String(event.id),
        eventType: { name: names.get(event.event_type_id) ?? null },
      }));
    // The first also loads the event-type catalogue: two calls.
    expect(first).toEqual({
      data: { events: { nodes: newest } },
      extensions: { cost: { estimated: 2, actual: 2, max: 50 } },
    });
    expect(second).toEqual({
      data: { events: { nodes: newest } },
      extensions: { cost: { estimated: 1, actual: 1, max: 50 } },
    });
    // The token, the catalogue and two pages, one after another: one TLS session.
    expect(terminator.handshakes()).toBe(1);
  });

  it('refuses an upstream whose certificate it does not trust, as a typed upstream failure', async () => {
    const untrusting = await startGateway({ UPSTREAM_RETRIES: '0' });
    try {
      const answer = await graphql(untrusting.url, '{ events(first: 3) { nodes { id } } }');

      // The token request failed its TLS handshake: no data, no certificate detail, no URL.
      expect(answer).toEqual({
        errors: [
          {
            message: 'OneLogin is unavailable',
            locations: [{ line: 1, column: 3 }],
            path: ['events'],
            extensions: {
              code: 'UPSTREAM_UNAVAILABLE',
              upstream: { service: 'onelogin', status: null },
            },
          },
        ],
        data: null,
        extensions: { cost: { estimated: 1, actual: 1, max: 50 } },
      });
    } finally {
      await stopReplica(untrusting);
    }
  }, 30_000);
});
