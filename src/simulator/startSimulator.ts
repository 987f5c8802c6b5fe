import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCounters } from './createCounters';
import { createEventStore } from './createEventStore';
import { createFaultController } from './createFaultController';
import { createRandom } from './createRandom';
import { createRateLimiter } from './createRateLimiter';
import { createTokenStore } from './createTokenStore';
import { buildEventTypes } from './data/buildEventTypes';
import { generateDataset } from './data/generateDataset';
import { createLiveEvents } from './createLiveEvents';
import { DEMO_CREDENTIALS } from './demoCredentials';
import { DEMO_OIDC_AUDIENCE, DEMO_OIDC_ISSUER } from './demoOidc';
import { SUCCESS_STATUS, apiError, noRoute } from './responses';
import type { SimRequest, SimResponse } from './responses';
import { isUpstreamPath, matchRoute } from './routeKeys';
import type { RouteKey } from './routeKeys';
import { checkBearer, handleRateLimitStatus, handleRevoke, handleToken } from './routes/authRoutes';
import { CONTROL_PREFIX, handleControl } from './routes/controlRoutes';
import { handleEventTypes, handleGetEvent, handleListEvents } from './routes/eventsRoutes';
import { handleCreateLegacyEvent, handleFailedProvisionings } from './routes/legacyRoutes';
import { OIDC_PREFIX, handleOidc, isOidcPath } from './routes/oidcRoutes';
import type { OidcContext } from './routes/oidcRoutes';
import type { SimulatorState } from './SimulatorState';
import type { FaultKind, SimulatorHandle, SimulatorLogger, SimulatorOptions } from './types';

const MAX_BODY_BYTES = 1_048_576;
const SILENT_LOGGER: SimulatorLogger = { info: () => undefined, warn: () => undefined };

function requireInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
  return value;
}

function requireText(name: string, value: string): string {
  if (value === '' || /[\s:,]/.test(value)) {
    throw new RangeError(`${name} must be non-empty, without spaces, colons or commas`);
  }
  return value;
}

/** An absolute http(s) URL without query or fragment, as an OIDC issuer must be. */
function requireIssuer(value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch (_error) {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash) {
    throw new RangeError(
      `oidcIssuer must be an http(s) URL without query or fragment, not ${value}`,
    );
  }
  return value;
}

function htmlError(status: number, title: string): SimResponse {
  // [I] A 502 or 503 comes from the load balancer in front of the API, which answers in HTML,
  // so clients must survive an error body that is not JSON.
  return {
    status,
    headers: { 'Content-Type': 'text/html' },
    body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  };
}

/** The response an injected or share-based fault replaces the real one with. */
function faultResponse(fault: FaultKind, real: () => SimResponse): SimResponse {
  switch (fault.kind) {
    case 'status':
      if (fault.status === 502) return htmlError(502, 'Bad Gateway');
      if (fault.status === 503) return htmlError(503, 'Service Temporarily Unavailable');
      return apiError(500, 'Internal Server Error');
    case 'afterWrite':
      // [I] The request reached OneLogin and was recorded; a proxy then answered 502/504
      // (issue 11 observed events recorded behind a proxy's 502).
      real();
      if (fault.status === 500) return apiError(500, 'Internal Server Error');
      return htmlError(fault.status, fault.status === 502 ? 'Bad Gateway' : 'Gateway Time-out');
    case 'rateLimit429':
      // XSOAR meets HTTP 429 from /api/1/events (API.md §7.1).
      return apiError(429, 'rate_limit_exceeded', {
        'Retry-After': String(fault.retryAfterSeconds ?? 1),
      });
    case 'rateLimit400':
      // StreamAlert's mock of the same condition: 400 with message rate_limit_exceeded.
      return apiError(400, 'rate_limit_exceeded');
    case 'truncate': {
      const response = real();
      const body =
        response.body === '' ? JSON.stringify({ status: SUCCESS_STATUS }) : response.body;
      return {
        status: 200,
        headers: { ...response.headers, 'Content-Type': 'application/json; charset=utf-8' },
        body: body.slice(0, Math.floor(body.length / 2)),
      };
    }
    default:
      return real();
  }
}

/** Adds the budget headers every /api/1 response carries (API.md §7.2). */
function withRateLimitHeaders(
  response: SimResponse,
  state: { limit: number; remaining: number; resetSeconds: number },
): SimResponse {
  response.headers['X-RateLimit-Limit'] = String(state.limit);
  response.headers['X-RateLimit-Remaining'] = String(state.remaining);
  response.headers['X-RateLimit-Reset'] = String(state.resetSeconds);
  return response;
}

/**
 * An /api/1 resource call: the token (optional for event types), then the account budget, then
 * the handler. A call that fails authentication is not the account's and spends nothing.
 */
function resourceCall(
  state: SimulatorState,
  request: SimRequest,
  handler: () => SimResponse,
  requiresToken: boolean,
): SimResponse {
  const failure = requiresToken ? checkBearer(state, request) : null;
  if (failure) return withRateLimitHeaders(failure, state.rateLimiter.peek());
  const budget = state.rateLimiter.consume();
  if (!budget.allowed) {
    // [I] No official page shows the body; XSOAR meets a 429 here (API.md §7.1), and the
    // message is the one StreamAlert matches, so that clients keyed on either recognise it.
    return withRateLimitHeaders(
      apiError(429, 'rate_limit_exceeded', { 'Retry-After': String(budget.resetSeconds) }),
      budget,
    );
  }
  return withRateLimitHeaders(handler(), budget);
}

function dispatch(
  state: SimulatorState,
  route: { key: RouteKey; eventId?: string },
  request: SimRequest,
): SimResponse {
  switch (route.key) {
    case 'POST /auth/oauth2/v2/token':
      return handleToken(state, request);
    case 'POST /auth/oauth2/revoke':
      return handleRevoke(state, request);
    case 'GET /auth/rate_limit':
      return handleRateLimitStatus(state, request);
    case 'GET /api/1/events':
      return resourceCall(state, request, () => handleListEvents(state, request), true);
    case 'GET /api/1/events/:id':
      return resourceCall(
        state,
        request,
        () => handleGetEvent(state, request, route.eventId ?? ''),
        true,
      );
    case 'GET /api/1/events/types':
      // The doc's sample sends no token and the OAS declares no security (API.md §4), so the
      // header is not looked at: a stale token does not break the catalogue.
      return resourceCall(state, request, () => handleEventTypes(state), false);
    case 'POST /api/v1/events.xml':
      // [I] The legacy API predates the /1 budget ("5,000 calls per hour for v1 API calls"
      // means API /1), so its calls spend nothing and carry no rate-limit headers.
      return handleCreateLegacyEvent(state, request);
    case 'GET /api/v1/logins/failed_provisioning.json':
      return handleFailedProvisionings(state, request);
    case 'other':
      return noRoute();
  }
}

/** The origin the client addressed, for absolute links; the listening address otherwise. */
function requestOrigin(host: string | undefined, fallback: string): string {
  if (host && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    return `http://${host}`;
  }
  return fallback;
}

/** The body, or null when it is larger than the simulator reads. */
function readBody(request: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    request.on('error', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    // A client that goes away mid-body: answer what arrived (nobody reads it).
    request.on('close', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
  });
}

/** Starts a simulator of OneLogin's events APIs; see issue 2 for what it promises. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = requireInteger('port', options.port ?? 0, 0, 65_535);
  const seed = options.seed ?? 1;
  if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number');
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now)) throw new RangeError('now must be an epoch in milliseconds');
  const eventCount = requireInteger('eventCount', options.eventCount ?? 20_000, 0, 5_000_000);
  const failedProvisioningCount = requireInteger(
    'failedProvisioningCount',
    options.failedProvisioningCount ?? 300,
    0,
    1_000_000,
  );
  const accountId = requireInteger('accountId', options.accountId ?? 53_413, 1, 2_147_483_647);
  const tokenLifetimeSeconds = requireInteger(
    'tokenLifetimeSeconds',
    options.tokenLifetimeSeconds ?? 36_000,
    1,
    31_536_000,
  );
  const rateLimitPerHour = requireInteger(
    'rateLimitPerHour',
    options.rateLimitPerHour ?? 5_000,
    0,
    1_000_000_000,
  );
  const latencyMs = options.latencyMs ?? 0;
  const jitterMs = options.jitterMs ?? 0;
  if (!(latencyMs >= 0 && latencyMs <= 600_000) || !(jitterMs >= 0 && jitterMs <= 600_000)) {
    throw new RangeError('latencyMs and jitterMs must be from 0 to 600000');
  }
  const liveEventsPerMinute = options.liveEventsPerMinute ?? 0;
  if (!(liveEventsPerMinute >= 0 && liveEventsPerMinute <= 6_000)) {
    throw new RangeError('liveEventsPerMinute must be from 0 to 6000');
  }
  const oidcIssuer = requireIssuer(options.oidcIssuer ?? DEMO_OIDC_ISSUER);
  const logger = options.logger ?? SILENT_LOGGER;
  // The running clock (tokens, rate-limit windows, new events); tests inject one.
  const clock = options.clock ?? ((): number => Date.now());

  const eventTypes = buildEventTypes();
  const dataset = generateDataset({
    seed,
    now,
    eventCount,
    failedProvisioningCount,
    accountId,
    eventTypeIds: eventTypes.map((eventType) => eventType.id),
  });
  const state: SimulatorState = {
    accountId,
    clientId: requireText('clientId', options.clientId ?? DEMO_CREDENTIALS.clientId),
    clientSecret: requireText(
      'clientSecret',
      options.clientSecret ?? DEMO_CREDENTIALS.clientSecret,
    ),
    apiKey: requireText('apiKey', options.apiKey ?? DEMO_CREDENTIALS.apiKey),
    clock,
    eventWindow: {
      precision: options.eventWindow?.precision ?? 'second',
      bounds: options.eventWindow?.bounds ?? 'exclusive',
    },
    store: createEventStore(dataset.events, accountId, clock, createRandom(seed, 'created-events')),
    eventTypes,
    eventTypeIds: new Set(eventTypes.map((eventType) => eventType.id)),
    failedProvisionings: dataset.failedProvisionings,
    tokens: createTokenStore(tokenLifetimeSeconds, clock),
    rateLimiter: createRateLimiter(rateLimitPerHour, clock),
  };
  const oidc: OidcContext = {
    issuer: oidcIssuer,
    audience: DEMO_OIDC_AUDIENCE,
    userIds: new Set(dataset.directory.people.map((person) => String(person.id))),
    clock,
  };
  const counters = createCounters();
  const faults = createFaultController(options.faults ?? {}, createRandom(seed, 'faults'), clock);
  const latencyRandom = createRandom(seed, 'latency');
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const live = createLiveEvents(state, { seed, now, eventTypeIds: [...state.eventTypeIds] });
  if (liveEventsPerMinute > 0) {
    // Real time, not `clock`: the feed is for people watching (demo mode) and benchmarks; tests
    // that need exact events call `live.emit` instead. unref: it never keeps a process alive.
    const timer = setInterval(() => live.emit(1), 60_000 / liveEventsPerMinute);
    timer.unref();
    timers.add(timer);
  }
  let origin = '';

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const send = (
    response: http.ServerResponse,
    route: string,
    answer: SimResponse,
    extraHeaders: Record<string, string> = {},
  ): void => {
    if (route !== '') counters.record(route, String(answer.status));
    if (response.destroyed || response.headersSent) return;
    response.writeHead(answer.status, {
      ...answer.headers,
      ...extraHeaders,
      'Content-Length': String(Buffer.byteLength(answer.body)),
    });
    response.end(answer.body);
  };

  const handle = async (
    incoming: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> => {
    const method = incoming.method ?? 'GET';
    let target = (incoming.url ?? '/').replace(/#.*$/, '');
    // Absolute-form targets (sent to proxies) carry the origin; keep the path and query.
    target = target.replace(/^https?:\/\/[^/?]*/i, '') || '/';
    const queryStart = target.indexOf('?');
    const path = queryStart < 0 ? target : target.slice(0, queryStart);
    const request: SimRequest = {
      method,
      path,
      query: new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1)),
      headers: incoming.headers,
      body: Buffer.alloc(0),
      origin: requestOrigin(incoming.headers.host, origin),
      remoteAddress: incoming.socket.remoteAddress,
    };
    const body = await readBody(incoming);
    const isControl = path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
    // The identity provider is not OneLogin's API: like the control endpoints, its calls are
    // never counted, delayed, faulted or rate-limited.
    const isOidc = isOidcPath(path);
    const route = isControl || isOidc ? null : matchRoute(method, path);
    if (body === null) {
      send(response, route?.key ?? '', apiError(413, 'Request body too large'), {
        Connection: 'close',
      });
      return;
    }
    request.body = body;
    if (isOidc) {
      send(response, '', await handleOidc(oidc, request));
      return;
    }
    if (isControl || route === null) {
      send(response, '', handleControl({ counters, faults, live }, request));
      return;
    }

    const upstream = isUpstreamPath(path);
    const fault = faults.next(route.key, upstream);
    let delay = upstream ? latencyMs + latencyRandom.next() * jitterMs : 0;
    if (fault?.kind === 'delay') delay += fault.ms;
    if (delay > 0) await sleep(Math.round(delay));
    if (closed) return;
    if (fault?.kind === 'hang') {
      // Counted once, as hung, whether or not it is answered late.
      counters.record(route.key, 'hung');
      if (fault.ms === undefined) return;
      await sleep(fault.ms);
      if (closed) return;
      send(response, '', dispatch(state, route, request));
      return;
    }
    if (fault?.kind === 'drop') {
      counters.record(route.key, 'dropped');
      incoming.socket.destroy();
      return;
    }
    const real = (): SimResponse => dispatch(state, route, request);
    send(response, route.key, fault ? faultResponse(fault, real) : real());
  };

  const server = http.createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      logger.warn(`simulator: ${incoming.method} ${incoming.url} failed: ${String(error)}`);
      if (!response.headersSent && !response.destroyed) {
        const answer = apiError(500, 'Internal Server Error');
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${address.port}`;
  origin = url;
  logger.info(
    `OneLogin simulator listening on ${url} (${state.store.records.length} events, seed ${seed})`,
  );

  return {
    url,
    port: address.port,
    oidcIssuer,
    jwksURL: `${url}${OIDC_PREFIX}/certs`,
    data: {
      events: () => state.store.records,
      eventTypes: () => state.eventTypes,
      failedProvisionings: () => state.failedProvisionings,
    },
    counters: { snapshot: () => counters.snapshot(), reset: () => counters.reset() },
    faults: {
      set: (rates) => faults.set(rates),
      inject: (fault) => faults.inject(fault),
      startOutage: (fault) => faults.startOutage(fault),
      endOutage: () => faults.endOutage(),
      clear: () => faults.clear(),
    },
    tokens: {
      expireAll: () => state.tokens.expireAll(),
      revokeAll: () => state.tokens.revokeAll(),
      issued: () => state.tokens.issued(),
    },
    rateLimit: {
      reset: () => state.rateLimiter.reset(),
      setRemaining: (remaining) => state.rateLimiter.setRemaining(remaining),
    },
    live: { emit: (count, fields) => live.emit(count, fields) },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        logger.info('OneLogin simulator closed');
      });
    },
  };
}
