import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';

import type { SimulatorHandle } from '../../src/simulator';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../helpers/startOtlpReceiver';
import { startRecordingProxy, type RecordingProxy } from '../helpers/startRecordingProxy';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';

const SERVER = 2;
const CLIENT = 3;
/** The collector's credential, as a vendor's would be: it must reach the collector and nothing else. */
const OTLP_SECRET = 'otlp-secret-3b1f9c0d7e';

/** A client's (or router's) span: its `traceparent`, and the ids in it. */
function clientSpan(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** `{ route: count }` of the spans, to compare with the simulator's call counts. */
function countByName(spans: readonly ReceivedSpan[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const span of spans) counts[span.name] = (counts[span.name] ?? 0) + 1;
  return counts;
}

async function startUpstream(): Promise<{ simulator: SimulatorHandle; proxy: RecordingProxy }> {
  const simulator = await startSimulator({ now: TEST_NOW, eventCount: 2000 });
  const proxy = await startRecordingProxy(simulator.url);
  return { simulator, proxy };
}

describe('tracing with an OTLP endpoint', () => {
  let simulator: SimulatorHandle;
  let proxy: RecordingProxy;
  let receiver: OtlpReceiver;
  let gateway: TestGateway;

  /** The spans of one trace, once its server span (which ends last) has arrived. */
  async function traceOf(
    traceId: string,
  ): Promise<{ server: ReceivedSpan; spans: ReceivedSpan[] }> {
    await receiver.waitFor((spans) =>
      spans.some((span) => span.traceId === traceId && span.kind === SERVER),
    );
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    return { server: spans.find((span) => span.kind === SERVER) as ReceivedSpan, spans };
  }

  beforeAll(async () => {
    ({ simulator, proxy } = await startUpstream());
    receiver = await startOtlpReceiver();
    gateway = await startTestGateway({
      simulator,
      env: {
        ONELOGIN_BASE_URL: proxy.url,
        ONELOGIN_LEGACY_BASE_URL: proxy.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${OTLP_SECRET}`,
        OTEL_SERVICE_NAME: 'events-gateway-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
        OTEL_BSP_SCHEDULE_DELAY: '20',
        // As behind a router: the callers' traceparent is continued (see the untrusted default below).
        TRACING_CONTINUE_TRACEPARENT: 'true',
      },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
    await receiver.close();
    await simulator.close();
  });
  beforeEach(() => {
    simulator.faults.clear();
    gateway.resetUpstreamCalls();
    proxy.requests.length = 0;
  });

  it('continues the caller’s traceparent, with one client span per OneLogin call, and passes it on', async () => {
    const caller = clientSpan();
    const result = await gateway.executeAs(
      { traceparent: caller.traceparent },
      `query RecentEvents { events(first: 2) { nodes { id message } } }`,
    );
    expect(result.errors).toBeUndefined();
    const calls = gateway.upstreamCalls();
    // The first request of the gateway: a token, the catalogue (for `message`), a page.
    expect(calls).toEqual({
      'POST /auth/oauth2/v2/token': 1,
      'GET /api/1/events/types': 1,
      'GET /api/1/events': 1,
    });

    const { server, spans } = await traceOf(caller.traceId);
    expect(server).toMatchObject({
      name: 'query RecentEvents',
      parentSpanId: caller.spanId,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'url.path': '/graphql',
        'http.response.status_code': 200,
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'RecentEvents',
        // Charged to the request, as extensions.cost counts them: the token is not.
        'onelogin.calls': 2,
      },
      resource: {
        'service.name': 'events-gateway-under-test',
        'deployment.environment.name': 'test',
      },
    });
    expect(server.status.code ?? 0).not.toBe(2);

    const clients = spans.filter((span) => span.kind === CLIENT);
    expect(countByName(clients)).toEqual(calls);
    for (const span of clients) {
      expect(span.parentSpanId).toBe(server.spanId);
      expect(span.attributes).toMatchObject({
        'http.request.method': span.name.split(' ')[0],
        'server.address': '127.0.0.1',
        'url.path': span.name.split(' ')[1],
        'http.response.status_code': 200,
        'onelogin.attempt': 1,
        'onelogin.route': span.name,
      });
    }
    // The shared catalogue store was looked up first, and missed.
    expect(spans.filter((span) => span.name === 'cache.get')).toEqual([
      expect.objectContaining({
        parentSpanId: server.spanId,
        attributes: { 'cache.name': 'event-types', 'cache.hit': false },
      }),
    ]);

    // Each upstream request carried the traceparent of its own client span.
    expect(proxy.requests).toHaveLength(3);
    const clientIds = clients.map((span) => span.spanId).sort();
    const sent = proxy.requests.map((request) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(
        String(request.headers.traceparent),
      );
      expect(match?.[1]).toBe(caller.traceId);
      return match?.[2];
    });
    expect(sent.sort()).toEqual(clientIds);

    // The request's log lines lead to the trace (and the upstream ones to their call's span).
    const lines = gateway.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['trace_id'] === caller.traceId);
    const responses = lines.filter((line) => line['msg'] === 'upstream response');
    expect(responses).toHaveLength(3);
    expect(responses.map((line) => line['span_id']).sort()).toEqual(clientIds);
    const access = lines.filter((line) => line['msg'] === 'request');
    expect(access).toEqual([expect.objectContaining({ span_id: server.spanId })]);
  });

  it('carries the trace on the request, registering no context manager while it traces', async () => {
    // AsyncLocalStorage would put promise hooks on every promise on Node 20 and 22 (see tracing.ts).
    const key = createContextKey('probe');
    expect(
      context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key)),
    ).toBeUndefined();
  });

  it('records a retried call as one span per attempt', async () => {
    simulator.faults.inject({ kind: 'status', status: 503, route: 'GET /api/1/events', times: 1 });
    const caller = clientSpan();
    const result = await gateway.executeAs(
      { traceparent: caller.traceparent },
      `query { events(first: 2) { nodes { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 2 });

    const { server, spans } = await traceOf(caller.traceId);
    expect(server.name).toBe('query');
    const attempts = spans
      .filter((span) => span.kind === CLIENT)
      .sort(
        (a, b) =>
          Number(a.attributes['onelogin.attempt']) - Number(b.attributes['onelogin.attempt']),
      );
    expect(attempts.map((span) => [span.name, span.attributes, span.status.code ?? 0])).toEqual([
      [
        'GET /api/1/events',
        expect.objectContaining({
          'onelogin.attempt': 1,
          'http.response.status_code': 503,
          'error.type': '503',
        }),
        2,
      ],
      [
        'GET /api/1/events',
        expect.objectContaining({
          'onelogin.attempt': 2,
          'http.request.resend_count': 1,
          'onelogin.retry_reason': 'status 503',
          'http.response.status_code': 200,
        }),
        0,
      ],
    ]);
  });

  it('records a hung attempt abandoned after its time limit as a timeout', async () => {
    simulator.faults.inject({ kind: 'hang', route: 'GET /api/1/events', times: 1 });
    const caller = clientSpan();
    const result = await gateway.executeAs(
      { traceparent: caller.traceparent },
      `query { events(first: 2) { nodes { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    const { spans } = await traceOf(caller.traceId);
    const attempts = spans
      .filter((span) => span.kind === CLIENT)
      .sort(
        (a, b) =>
          Number(a.attributes['onelogin.attempt']) - Number(b.attributes['onelogin.attempt']),
      );
    expect(attempts.map((span) => [span.attributes['error.type'], span.status])).toEqual([
      ['timeout', { code: 2, message: 'timeout' }],
      [undefined, expect.not.objectContaining({ code: 2 })],
    ]);
    expect(attempts[0]!.attributes['http.response.status_code']).toBeUndefined();
    expect(attempts[1]!.attributes['onelogin.retry_reason']).toBe('timeout');
  });

  it('shows a cache hit as a cache span, with no client span', async () => {
    const list = await gateway.execute<{ events: { nodes: Array<{ id: string }> } }>(
      `query { events(first: 1) { nodes { id userName } } }`,
    );
    const id = list.data!.events.nodes[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the cache is written in the background
    gateway.resetUpstreamCalls();

    const caller = clientSpan();
    const result = await gateway.executeAs(
      { traceparent: caller.traceparent },
      `query OneEvent($id: ID!) { event(id: $id) { id userName } }`,
      { id },
    );
    expect(result).toEqual({
      data: { event: { id, userName: expect.any(String) } },
      extensions: expect.anything(),
    });
    expect(gateway.upstreamCalls()).toEqual({});

    const { server, spans } = await traceOf(caller.traceId);
    expect(server.attributes['onelogin.calls']).toBe(0);
    expect(spans.filter((span) => span.kind === CLIENT)).toEqual([]);
    expect(spans.filter((span) => span.name === 'cache.get')).toEqual([
      expect.objectContaining({
        attributes: { 'cache.name': 'events', 'cache.hit': true, 'cache.keys': 1, 'cache.hits': 1 },
      }),
    ]);
  });

  it('ends the span of a request refused before Apollo with its status', async () => {
    const caller = clientSpan();
    const response = await gateway.post('{ not json', { traceparent: caller.traceparent });
    expect(response.status).toBe(400);
    const { server } = await traceOf(caller.traceId);
    expect(server).toMatchObject({
      name: 'POST /graphql',
      parentSpanId: caller.spanId,
      attributes: { 'http.response.status_code': 400 },
    });
  });

  it('starts a new trace without a traceparent, and marks OneLogin’s failure on it', async () => {
    simulator.faults.inject({ kind: 'status', status: 500, route: 'GET /api/1/events', times: 3 });
    receiver.clear();
    const result = await gateway.execute(`query Failing { events(first: 2) { nodes { id } } }`);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    await receiver.waitFor((spans) => spans.some((span) => span.name === 'query Failing'));
    const server = receiver.spans.find((span) => span.name === 'query Failing') as ReceivedSpan;
    expect(server.parentSpanId).toBe('');
    expect(server.attributes['graphql.error.codes']).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(server.status).toMatchObject({ code: 2, message: 'UPSTREAM_UNAVAILABLE' });
    const attempts = receiver.spans.filter(
      (span) => span.traceId === server.traceId && span.kind === CLIENT,
    );
    expect(attempts.map((span) => span.attributes['onelogin.attempt']).sort()).toEqual([1, 2, 3]);
  });

  it('puts no secret, header, query string or document in any span or log line', async () => {
    const caller = clientSpan();
    // The legacy API (its API key) and a query string with filters, traced too.
    const result = await gateway.executeAs(
      { traceparent: caller.traceparent },
      `query Secrets($since: DateTime!) {
        events(first: 1, filter: { userId: "42230016", since: $since }) { nodes { id } }
        failedProvisionings(startDate: $since, stopDate: "${new Date(TEST_NOW).toISOString()}") { totalCount }
      }`,
      { since: new Date(TEST_NOW - 86_400_000).toISOString() },
    );
    expect(result.errors).toBeUndefined();
    const { spans } = await traceOf(caller.traceId);
    expect(countByName(spans.filter((span) => span.kind === CLIENT))).toEqual(
      gateway.upstreamCalls(),
    );
    await gateway.gateway.stop(); // flushes every span still buffered

    // What went upstream: the credentials that must stay out of traces and logs.
    const credentials = new Set<string>([
      DEMO_CREDENTIALS.clientSecret,
      DEMO_CREDENTIALS.apiKey,
      Buffer.from(`${DEMO_CREDENTIALS.clientId}:${DEMO_CREDENTIALS.clientSecret}`).toString(
        'base64',
      ),
      OTLP_SECRET,
    ]);
    for (const request of proxy.requests) {
      const authorization = String(request.headers.authorization ?? '');
      const value = authorization.split(' ')[1];
      if (value) credentials.add(value);
    }
    expect(credentials.size).toBeGreaterThan(4); // the bearer token (and the legacy credential)
    const exported = receiver.bodies.join('\n');
    const logged = gateway.logs.join('\n');
    for (const credential of credentials) {
      expect(exported).not.toContain(credential);
      expect(logged).not.toContain(credential);
    }
    // The collector got its credential, in the header it is meant for.
    expect(
      receiver.headers.every((headers) => headers.authorization === `Bearer ${OTLP_SECRET}`),
    ).toBe(true);
    for (const span of receiver.spans) {
      expect(String(span.attributes['url.path'] ?? '')).not.toContain('?');
      for (const key of Object.keys(span.attributes))
        expect(key).not.toMatch(/header|query|body|document|variables/);
    }
    expect(exported).not.toContain('42230016');
    expect(exported).not.toContain('failedProvisionings(');
  });
});

describe('a caller’s traceparent by default (TRACING_CONTINUE_TRACEPARENT unset)', () => {
  let simulator: SimulatorHandle;
  let proxy: RecordingProxy;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    ({ simulator, proxy } = await startUpstream());
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await proxy.close();
    await receiver.close();
    await simulator.close();
  });
  beforeEach(() => {
    receiver.clear();
    proxy.requests.length = 0;
  });

  const gatewayWith = (env: Record<string, string>) =>
    startTestGateway({
      simulator,
      env: {
        ONELOGIN_BASE_URL: proxy.url,
        ONELOGIN_LEGACY_BASE_URL: proxy.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '20',
        ...env,
      },
    });

  it('is linked from a trace of the request’s own, never continued or passed on', async () => {
    const gateway = await gatewayWith({});
    const caller = clientSpan();
    try {
      const result = await gateway.executeAs(
        { traceparent: caller.traceparent },
        `query Linked { events(first: 1) { nodes { id } } }`,
      );
      expect(result.errors).toBeUndefined();
      await receiver.waitFor((spans) => spans.some((span) => span.name === 'query Linked'));
    } finally {
      await gateway.stop();
    }
    const server = receiver.spans.find((span) => span.name === 'query Linked') as ReceivedSpan;
    // A root span of a new trace, linked to the caller's span.
    expect(server).toMatchObject({ kind: SERVER, parentSpanId: '' });
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.traceId).not.toBe(caller.traceId);
    expect(server.links).toEqual([{ traceId: caller.traceId, spanId: caller.spanId }]);
    // Nothing of the request's is in the caller's trace, and OneLogin sees the gateway's trace.
    expect(receiver.spans.filter((span) => span.traceId === caller.traceId)).toEqual([]);
    const page = proxy.requests.find((request) => request.url.startsWith('/api/1/events?'));
    expect(String(page?.headers.traceparent)).toMatch(
      new RegExp(`^00-${server.traceId}-[0-9a-f]{16}-01$`),
    );
  });

  it('cannot make the gateway sample a request: its own sampler decides', async () => {
    const sampler = {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    };
    const caller = clientSpan(); // sampled (flags 01)
    const untrusting = await gatewayWith(sampler);
    try {
      const result = await untrusting.executeAs(
        { traceparent: caller.traceparent },
        `query NotSampled { events(first: 1) { nodes { id } } }`,
      );
      expect(result.errors).toBeUndefined();
    } finally {
      await untrusting.stop(); // flushes whatever was sampled
    }
    expect(receiver.spans).toEqual([]);
    // The same request to a gateway told to trust it follows the caller's flag.
    const trusting = await gatewayWith({ ...sampler, TRACING_CONTINUE_TRACEPARENT: 'true' });
    try {
      await trusting.executeAs(
        { traceparent: caller.traceparent },
        `query Sampled { events(first: 1) { nodes { id } } }`,
      );
    } finally {
      await trusting.stop();
    }
    expect(receiver.spans.find((span) => span.name === 'query Sampled')).toMatchObject({
      traceId: caller.traceId,
      parentSpanId: caller.spanId,
    });
  });
});

describe('a failing OTLP endpoint', () => {
  it('neither breaks requests nor floods the log', async () => {
    const collector = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const gateway = await startTestGateway({
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '10',
      },
    });
    try {
      for (let i = 0; i < 5; i += 1) {
        const result = await gateway.execute(`{ events(first: 1) { nodes { id } } }`);
        expect(result.errors).toBeUndefined();
        await new Promise((resolve) => setTimeout(resolve, 40)); // one export per request
      }
    } finally {
      await gateway.stop();
      collector.closeAllConnections();
      await new Promise((resolve) => collector.close(resolve));
    }
    const warnings = gateway.logs.filter((line) => line.includes('could not send spans'));
    expect(warnings).toHaveLength(1);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', () => {
  it('exports the same spans as protobuf, the OpenTelemetry default', async () => {
    const bodies: { contentType: string | undefined; body: Buffer }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push({ contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const gateway = await startTestGateway({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_BSP_SCHEDULE_DELAY: '10',
        TRACING_CONTINUE_TRACEPARENT: 'true',
      },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    try {
      const answer = await gateway.post(
        { query: 'query Recent { events(first: 1) { nodes { id } } }' },
        { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      );
      expect(answer.status).toBe(200);
    } finally {
      await gateway.stop(); // flushes the spans
      collector.closeAllConnections();
      await new Promise((resolve) => collector.close(resolve));
    }
    const all = Buffer.concat(bodies.map(({ body }) => body));
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.every(({ contentType }) => contentType === 'application/x-protobuf')).toBe(true);
    // Protobuf carries strings as UTF-8 and trace ids as their 16 bytes.
    expect(all.includes(Buffer.from('query Recent'))).toBe(true);
    expect(all.includes(Buffer.from('GET /api/1/events'))).toBe(true);
    expect(all.includes(Buffer.from(traceId, 'hex'))).toBe(true);
  });
});

describe('without OTEL_* variables', () => {
  it('exports nothing, registers no provider or context manager, and passes no traceparent on', async () => {
    const { simulator, proxy } = await startUpstream();
    const receiver = await startOtlpReceiver();
    const gateway = await startTestGateway({
      simulator,
      env: { ONELOGIN_BASE_URL: proxy.url, ONELOGIN_LEGACY_BASE_URL: proxy.url },
    });
    try {
      const caller = clientSpan();
      const result = await gateway.executeAs(
        { traceparent: caller.traceparent },
        `{ events(first: 1) { nodes { id } } }`,
      );
      expect(result.errors).toBeUndefined();
      expect(proxy.requests.length).toBeGreaterThan(0);
      expect(proxy.requests.every((request) => request.headers.traceparent === undefined)).toBe(
        true,
      );
      expect(gateway.logs.some((line) => line.includes('trace_id'))).toBe(false);
      expect(
        gateway.logs.some((line) =>
          line.includes('Tracing is off: no OTEL_EXPORTER_OTLP_ENDPOINT'),
        ),
      ).toBe(true);
      // The global API is the no-op one: no tracer provider, no context manager.
      expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
      const key = createContextKey('probe');
      expect(
        context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key)),
      ).toBeUndefined();
    } finally {
      await gateway.stop();
      await proxy.close();
      await simulator.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.bodies).toEqual([]);
    await receiver.close();
  });
});
