/**
 * The transport's connections, against small upstreams on port 0: what the
 * keep-alive pool reuses, what an attempt's time limit and size limit cut off,
 * what a broken connection costs a read and a write, and that bytes an upstream
 * sends on an idle connection are never taken for the next call's answer.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import { Writable } from 'node:stream';

import { afterEach, describe, expect, it } from '@jest/globals';

import { createLogger } from '../../src/logging/createLogger';
import type { HttpRequest, HttpResponse } from '../../src/upstream/HttpTransport';
import { HttpTransport, UpstreamFailureError } from '../../src/upstream/HttpTransport';

const quiet = createLogger({
  level: 'warn',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

interface Upstream {
  origin: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

/** `server` on a free port of 127.0.0.1, its connections counted, closed after the test. */
async function listen(server: net.Server, connection: string): Promise<Upstream> {
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on(connection, (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const upstream: Upstream = {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  opened.push(upstream);
  return upstream;
}

function httpUpstream(handler: http.RequestListener): Promise<Upstream> {
  return listen(http.createServer(handler), 'connection');
}

/** A raw TCP upstream: `onData` sees each connection's bytes and writes what it likes. */
function tcpUpstream(onData: (socket: Socket, data: string) => void): Promise<Upstream> {
  const server = net.createServer((socket) => {
    socket.on('data', (data) => onData(socket, data.toString('latin1')));
    socket.on('error', () => {});
  });
  return listen(server, 'connection');
}

function transport(origin: string, retries = 0, timeoutMs = 2000): HttpTransport {
  const created = new HttpTransport({
    origin,
    timeoutMs,
    maxConnections: 4,
    retries,
    logger: quiet,
  });
  opened.push(created);
  return created;
}

const read: HttpRequest = { method: 'GET', path: '/thing', route: 'GET /thing', idempotent: true };
const write: HttpRequest = {
  method: 'POST',
  path: '/thing',
  route: 'POST /thing',
  idempotent: false,
  body: '<event/>',
  headers: { 'content-type': 'application/xml' },
};
const asIs = (response: HttpResponse) => response;

/** The failure a call ended with (it must fail). */
async function failureOf(call: Promise<unknown>): Promise<UpstreamFailureError['failure']> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamFailureError);
  return (error as UpstreamFailureError).failure;
}

const answer = (body: string) =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('HttpTransport connections', () => {
  it('sends reads one after another over one keep-alive connection, and a write on a connection of its own', async () => {
    const seen: Array<{ method: string; length: string | undefined; body: string }> = [];
    const upstream = await httpUpstream((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', length: req.headers['content-length'], body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}');
      });
    });
    const client = transport(upstream.origin);

    const answers = [];
    for (const request of [read, write, read]) answers.push(await client.request(request, asIs));

    expect(answers.map((response) => [response.status, response.body])).toEqual([
      [200, '{"n":1}'],
      [200, '{"n":1}'],
      [200, '{"n":1}'],
    ]);
    expect(answers[0]?.headers['content-type']).toBe('application/json');
    expect(seen).toEqual([
      { method: 'GET', length: undefined, body: '' },
      { method: 'POST', length: '8', body: '<event/>' },
      { method: 'GET', length: undefined, body: '' },
    ]);
    // The reads share the first; the write had the second, closed after its answer.
    expect(upstream.connections()).toBe(2);
  });

  it('never takes bytes an upstream sent on an idle connection for the next call’s answer', async () => {
    let calls = 0;
    const upstream = await tcpUpstream((socket, data) => {
      if (!data.startsWith('GET ')) return;
      calls += 1;
      socket.write(answer(`{"call":${calls}}`));
      // Then, with the connection idle, an answer nobody asked for.
      setTimeout(() => socket.write(answer('{"unsolicited":true}')), 30);
    });
    const client = transport(upstream.origin, 2);

    const first = await client.request(read, asIs);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await client.request(read, asIs);

    // Whatever Node does with the stray bytes (Node 20 drops them, as a free socket has
    // no parser, and uses the connection again; Node 24 closes that connection), the
    // second answer is the second call's.
    expect([first.body, second.body, calls]).toEqual(['{"call":1}', '{"call":2}', 2]);
    expect([1, 2]).toContain(upstream.connections());
  });

  it('opens a new connection when the upstream closed the idle one', async () => {
    const upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { connection: 'close' }).end('{}');
    });
    const client = transport(upstream.origin);

    await client.request(read, asIs);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await client.request(read, asIs);

    expect(again.status).toBe(200);
    expect(upstream.connections()).toBe(2);
  });

  it('cuts off an attempt at its time limit: a timeout, retried for a read', async () => {
    let calls = 0;
    const upstream = await httpUpstream(() => {
      calls += 1; // and never answers
    });
    const started = performance.now();

    const failure = await failureOf(transport(upstream.origin, 1, 150).request(read, asIs));

    expect(failure).toEqual({ kind: 'timeout' });
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('cuts off an answer larger than 20 MiB, before reading it all', async () => {
    const upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 21; i += 1) res.write(chunk);
      res.end();
    });
    const declared = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': String(25 * 1024 * 1024) });
      res.write('{');
    });

    expect(await failureOf(transport(upstream.origin).request(read, asIs))).toEqual({
      kind: 'network',
    });
    expect(await failureOf(transport(declared.origin).request(read, asIs))).toEqual({
      kind: 'network',
    });
  });

  it('retries a read whose connection broke in the middle of the answer', async () => {
    let calls = 0;
    const upstream = await tcpUpstream((socket, data) => {
      if (!data.startsWith('GET ')) return;
      calls += 1;
      if (calls === 1) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"half":');
        socket.destroy();
      } else socket.write(answer('{"whole":true}'));
    });

    const response = await transport(upstream.origin, 1).request(read, asIs);

    expect(response.body).toBe('{"whole":true}');
    expect(calls).toBe(2);
  });

  it('reports a write whose connection broke after it was sent as an unknown outcome, not a failure', async () => {
    const upstream = await tcpUpstream((socket, data) => {
      if (data.startsWith('POST ')) socket.destroy();
    });

    expect(await failureOf(transport(upstream.origin).request(write, asIs))).toEqual({
      kind: 'outcome-unknown',
    });
  });

  it('reports a write that could not connect as failed: it was never sent', async () => {
    const upstream = await httpUpstream(() => {});
    const { origin } = upstream;
    await upstream.close();

    expect(await failureOf(transport(origin).request(write, asIs))).toEqual({ kind: 'network' });
  });

  it('waits for the calls in flight before closing its connections', async () => {
    const upstream = await httpUpstream((_req, res) => {
      setTimeout(() => res.writeHead(200).end('{"late":true}'), 100);
    });
    const client = transport(upstream.origin);

    const call = client.request(read, asIs);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closed = client.close();

    expect((await call).body).toBe('{"late":true}');
    await closed;
  });
});
