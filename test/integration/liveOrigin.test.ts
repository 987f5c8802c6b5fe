/**
 * Browsers apply no CORS to WebSockets: a page of any site can open one to
 * the gateway, and would get what the gateway grants without credentials
 * (AUTH_MODE=none behind a network boundary, anonymous callers outside
 * production). So the upgrade itself checks `Origin` against CORS_ORIGINS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';

import { webSocketURL } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

/** What the upgrade of a graphql-transport-ws connection from `origin` got: 101, or the refusal. */
function upgrade(
  graphqlURL: string,
  origin: string | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      webSocketURL(graphqlURL),
      'graphql-transport-ws',
      origin === undefined ? {} : { origin },
    );
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

describe('a WebSocket from a page of another origin', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { CORS_ORIGINS: 'https://console.example.com' },
    });
  });
  afterAll(() => gateway.stop());

  it('is refused at the upgrade, with 403 and what to change', async () => {
    expect(await upgrade(gateway.url, 'https://elsewhere.example')).toEqual({
      status: 403,
      body: 'WebSocket connections from pages of this origin are not allowed: the gateway accepts the origins in CORS_ORIGINS.',
    });
    // The origin must match whole: scheme, host and port.
    expect((await upgrade(gateway.url, 'http://console.example.com')).status).toBe(403);
    expect((await upgrade(gateway.url, 'https://console.example.com:8443')).status).toBe(403);
  });

  it('is accepted from a listed origin, and from clients that are no page (no Origin)', async () => {
    expect(await upgrade(gateway.url, 'https://console.example.com')).toEqual({
      status: 101,
      body: '',
    });
    expect(await upgrade(gateway.url, undefined)).toEqual({ status: 101, body: '' });
  });

  it('is accepted from the gateway’s own pages (its explorer), whichever scheme fronts it', async () => {
    const { host } = new URL(gateway.url);
    expect((await upgrade(gateway.url, `http://${host}`)).status).toBe(101);
    expect((await upgrade(gateway.url, `https://${host}`)).status).toBe(101);
    // A sandboxed page or a file sends `Origin: null`: no origin of the list.
    expect((await upgrade(gateway.url, 'null')).status).toBe(403);
  });
});

describe('with CORS_ORIGINS=*', () => {
  it('accepts a WebSocket from a page of any origin, as HTTP does', async () => {
    const gateway = await startTestGateway({ env: { CORS_ORIGINS: '*' } });
    try {
      expect((await upgrade(gateway.url, 'https://elsewhere.example')).status).toBe(101);
    } finally {
      await gateway.stop();
    }
  });
});
