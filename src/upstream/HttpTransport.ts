import type { CircuitBreakerPolicy } from 'cockatiel';
import {
  BrokenCircuitError,
  CircuitState,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  SamplingBreaker,
} from 'cockatiel';
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import http from 'node:http';
import https from 'node:https';

import type { Logger } from '../logging/createLogger';
import type { ClientSpan, TraceParent, Tracing } from '../observability/tracing';
import { NO_TRACING } from '../observability/tracing';
import { RetryBudget } from './RetryBudget';
import type { UpstreamFailure } from './upstreamError';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path with a leading slash, already encoded. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  /**
   * True for calls that may be repeated without effect (GETs, token requests):
   * they are retried after a network error, a 5xx or an unreadable answer.
   * False for writes: never retried, and a failure after sending is reported as
   * an unknown outcome.
   */
  idempotent: boolean;
  /**
   * The statuses an idempotent call retries; default 500, 502, 503 and 504. Any
   * other status goes to `interpret` on the first answer.
   */
  retryStatuses?: ReadonlySet<number>;
  /** A name for logs, e.g. `GET /api/1/events`; never includes credentials. */
  route: string;
  /**
   * The request this call works for: each retry is one more call, charged to it
   * first (a throw stops the retries with that error), and no attempt may run
   * past its deadline.
   */
  account?: CallAccount;
  /** The trace of a call made for a request without charging it (a token request); default `account.trace`. */
  trace?: TraceParent | undefined;
}

/** What a call charges its retries to and must finish by (UpstreamBudget is one). */
export interface CallAccount {
  /** Charges one more call; throws when the request may make none. */
  spend(): Promise<void>;
  /** `performance.now()` by which all of the request's upstream work must be done (Infinity: none). */
  readonly deadline: number;
  /** The request's place in its trace: its calls' spans are children of it. */
  readonly trace?: TraceParent | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

/** A failed upstream call, as data; `upstreamError` turns it into a GraphQL error. */
export class UpstreamFailureError extends Error {
  override name = 'UpstreamFailureError';
  constructor(
    readonly failure: UpstreamFailure,
    /** Whether trying again may help (used only for idempotent calls). */
    readonly retryable: boolean,
  ) {
    super(`upstream ${failure.kind}${'status' in failure ? ` ${failure.status}` : ''}`);
  }
}

export interface HttpTransportOptions {
  /** e.g. https://acme.onelogin.com */
  origin: string;
  /**
   * The time limit of one attempt of an idempotent call: well under the request's
   * deadline, so that a hung call is abandoned and retried while there is time.
   */
  timeoutMs: number;
  /** The time limit of a write (never retried, so it may wait longer); the deadline still applies. */
  writeTimeoutMs?: number;
  maxConnections: number;
  retries: number;
  /** Retries at most this share of calls over a sliding window (see RetryBudget); absent: no budget. */
  retryBudget?: { ratio: number; windowMs: number; minimum: number };
  logger: Logger;
  /** The circuit breaker of each route; absent: none (unit tests). */
  breaker?: BreakerOptions;
  /** A client span per attempt, with `traceparent` passed on; absent: none. */
  tracing?: Tracing;
  /** Told of every call, retry and fail-fast refusal (metrics); absent: nobody. */
  observer?: TransportObserver;
}

/** What a transport reports for metrics (see observability/Metrics). */
export interface TransportObserver {
  /** One HTTP call made: its status, or why none came; `seconds` it took. */
  call(
    route: string,
    status: number | undefined,
    failure: 'timeout' | 'network' | undefined,
    seconds: number,
  ): void;
  /** A call about to be made again. */
  retry(route: string): void;
  /** A call not made because its route's circuit is open. */
  circuitOpen(route: string): void;
}

export interface BreakerOptions {
  /** Share of failed calls (0 to 1) over `windowMs` that opens a route's circuit. */
  threshold: number;
  windowMs: number;
  /** Calls per second a route needs in the window before its circuit can open. */
  minimumRps: number;
  /** How long an open circuit fails fast before one probe call is let through. */
  halfOpenAfterMs: number;
}

// Connection errors that mean the request never left the gateway.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** The error code of an answer over MAX_RESPONSE_BYTES (the call is cut off). */
const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE';
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/**
 * A 429 whose Retry-After is at most this many seconds is a burst, not the spent
 * hourly budget (whose Retry-After is the time to the reset): an idempotent call
 * waits it out and tries once more.
 */
export const SHORT_RETRY_AFTER_SECONDS = 3;
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;
/** How long an idle keep-alive connection is kept (less, if the upstream says it keeps it less). */
const KEEP_ALIVE_MS = 30_000;
/** A retry is not started with less time than this left before the request's deadline. */
const MIN_ATTEMPT_MS = 100;

/** Thrown inside the retry policy to stop retrying; the last failure is then thrown instead. */
class StopRetrying extends Error {}

/**
 * HTTP to one upstream origin: a keep-alive connection pool (Node's own
 * `http.Agent`), a time limit per attempt, and retries with exponential backoff
 * (cockatiel) for idempotent calls. It knows nothing about OneLogin's bodies:
 * `interpret` turns a response into a value or an `UpstreamFailureError`,
 * inside the retry loop, so an unreadable answer is retried like a 5xx.
 *
 * Why not undici (which this transport used until 2026-12-04): since 7.x, a
 * request on an idle keep-alive socket is written from a `setImmediate`, after
 * everything else the event loop's poll phase has to do (GHSA-35p6-xmwp-9g52:
 * bytes or a FIN already pending on the idle socket are read first). Under
 * load that is other requests' parsing, execution and serialising: at 20 ms
 * upstream latency and 8 connections it added about 3 ms to the p50 of a
 * 50-event page and 40 ms to a walk of 20 calls (docs/BENCHMARKS.md, History).
 * Node's agent writes at once. What the validation guards against is kept
 * otherwise: a free socket has no parser, so bytes that arrive while it is idle
 * are never read as an answer (Node 20 drops them, Node 24 closes the socket),
 * and a FIN or reset takes it out of the pool; a second response
 * on a socket in use destroys it (Node's client refuses a response with no
 * request); and the upstream is OneLogin over TLS, whose answers are all the
 * gateway's own. A reused socket that turns out closed fails the call as a
 * network error, which a read retries; a write (never retried) goes out on a
 * connection of its own, so that a connection closed while idle cannot make
 * its outcome unknown.
 */
export class HttpTransport {
  private readonly agent: Agent;
  /** For writes: a new connection each, closed after its answer. */
  private readonly writeAgent: Agent;
  private readonly send: typeof http.request;
  /** Calls in flight, for close() to wait for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retryPolicy;
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly retryBudget: RetryBudget | undefined;
  private readonly writeTimeoutMs: number;
  private readonly tracing: Tracing;
  private readonly origin: URL;

  constructor(private readonly options: HttpTransportOptions) {
    this.writeTimeoutMs = options.writeTimeoutMs ?? options.timeoutMs;
    this.tracing = options.tracing ?? NO_TRACING;
    this.origin = new URL(options.origin);
    const secure = this.origin.protocol === 'https:';
    this.send = secure ? https.request : http.request;
    this.agent = new (secure ? https.Agent : http.Agent)({
      keepAlive: true,
      maxSockets: options.maxConnections,
      maxFreeSockets: options.maxConnections,
      // The most recently used socket first: the fewest connections stay warm.
      scheduling: 'lifo',
      // An idle socket is closed after 30 s, or 1 s before the upstream's own
      // `Keep-Alive: timeout=` would close it, whichever comes first. Each
      // attempt has its own, shorter limit (see roundTrip()).
      timeout: KEEP_ALIVE_MS,
    });
    this.writeAgent = new (secure ? https.Agent : http.Agent)({
      keepAlive: false,
      maxSockets: options.maxConnections,
    });
    // Exponential backoff with cockatiel's default decorrelated jitter, so that
    // the retries of many requests failing together do not arrive together.
    this.retryPolicy = retry(
      handleWhen((error) => error instanceof UpstreamFailureError && error.retryable),
      {
        maxAttempts: options.retries,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
      },
    );
    this.retryBudget = options.retryBudget && new RetryBudget(options.retryBudget);
  }

  /**
   * One call: idempotent calls are retried (after a 5xx, a network error, a
   * timeout or an unreadable answer) while the request's deadline, its budget and
   * the transport's retry budget allow; `interpret` turns the answer into a value.
   */
  async request<T>(request: HttpRequest, interpret: (response: HttpResponse) => T): Promise<T> {
    // Every HTTP call of this request, numbered for its span (retries and a 429's second try).
    const calls: AttemptCount = { made: 0, reason: undefined };
    const once = () =>
      this.throughBreaker(request, async () => interpret(await this.attempt(request, calls)));
    this.retryBudget?.recordCall();
    if (!request.idempotent || this.options.retries === 0) return once();
    let last: unknown;
    try {
      return await this.retryPolicy.execute(async ({ attempt }) => {
        if (attempt > 0) {
          this.beforeRetry(request, attempt, last);
          calls.reason = failureName(last);
          await request.account?.spend();
          this.options.observer?.retry(request.route);
        }
        try {
          return await once();
        } catch (error) {
          last = error;
          throw error;
        }
      });
    } catch (error) {
      throw error instanceof StopRetrying ? last : error;
    }
  }

  /** Throws StopRetrying when a retry would run past the deadline or over the retry budget. */
  private beforeRetry(request: HttpRequest, attempt: number, last: unknown): void {
    const left = (request.account?.deadline ?? Infinity) - performance.now();
    if (left < MIN_ATTEMPT_MS) throw new StopRetrying();
    if (this.retryBudget && !this.retryBudget.tryRetry()) {
      this.options.logger.debug(
        { route: request.route, attempt },
        'upstream retry skipped: retries are over their share of calls',
      );
      throw new StopRetrying();
    }
    this.options.logger.debug(
      {
        route: request.route,
        attempt,
        after: last instanceof UpstreamFailureError ? last.failure.kind : 'error',
      },
      'upstream retry',
    );
  }

  /** Calls and retries of the retry budget's window (absent without one). */
  retryStats(): { calls: number; retries: number } | undefined {
    return this.retryBudget?.snapshot();
  }

  /** The routes whose circuit is not closed now (for health), e.g. `{ 'GET /api/1/events': 'open' }`. */
  circuitStates(): Record<string, 'open' | 'half-open'> {
    const states: Record<string, 'open' | 'half-open'> = {};
    for (const [route, state] of Object.entries(this.routeCircuits())) {
      if (state !== 'closed') states[route] = state;
    }
    return states;
  }

  /** The circuit of every route called so far, closed ones included (for metrics). */
  routeCircuits(): Record<string, 'closed' | 'open' | 'half-open'> {
    const states: Record<string, 'closed' | 'open' | 'half-open'> = {};
    for (const [route, breaker] of this.breakers) {
      states[route] =
        breaker.state === CircuitState.Open || breaker.state === CircuitState.Isolated
          ? 'open'
          : breaker.state === CircuitState.HalfOpen
            ? 'half-open'
            : 'closed';
    }
    return states;
  }

  /**
   * One call through its route's circuit breaker (cockatiel): while more than
   * `threshold` of a route's calls fail (5xx, network errors, timeouts, unreadable
   * answers; not 4xx or 429, which are answers), the circuit opens and calls fail
   * at once with UPSTREAM_UNAVAILABLE, costing OneLogin nothing; after
   * `halfOpenAfterMs` one probe is let through, and its success closes the circuit.
   */
  private async throughBreaker<T>(request: HttpRequest, call: () => Promise<T>): Promise<T> {
    const options = this.options.breaker;
    if (!options) return call();
    let breaker = this.breakers.get(request.route);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((error) => error instanceof UpstreamFailureError && isOutage(error.failure)),
        {
          halfOpenAfter: options.halfOpenAfterMs,
          breaker: new SamplingBreaker({
            threshold: options.threshold,
            duration: options.windowMs,
            minimumRps: options.minimumRps,
          }),
        },
      );
      const route = request.route;
      breaker.onBreak(() =>
        this.options.logger.warn({ route }, 'circuit open: calls to this route fail fast for now'),
      );
      breaker.onReset(() =>
        this.options.logger.info({ route }, 'circuit closed: calls go through again'),
      );
      this.breakers.set(request.route, breaker);
    }
    try {
      return await breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.options.observer?.circuitOpen(request.route);
        throw new UpstreamFailureError({ kind: 'circuit-open' }, false);
      }
      throw error;
    }
  }

  /** Waits for the calls in flight, then closes every connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
    this.writeAgent.destroy();
  }

  /** One call (and, after a short 429 burst, one more: `waited429` says it was made). */
  private async attempt(
    request: HttpRequest,
    calls: AttemptCount,
    waited429 = false,
  ): Promise<HttpResponse> {
    const started = performance.now();
    const path = request.query ? request.path + queryString(request.query) : request.path;
    // Whole milliseconds, as the timer's limit.
    const limit = Math.max(
      1,
      Math.ceil(
        Math.min(
          request.idempotent ? this.options.timeoutMs : this.writeTimeoutMs,
          (request.account?.deadline ?? Infinity) - started,
        ),
      ),
    );
    calls.made += 1;
    const response = await this.tracing.clientCall(
      {
        method: request.method,
        route: request.route,
        origin: this.origin,
        path: request.path,
        attempt: calls.made,
        retryReason: calls.reason,
        parent: request.trace ?? request.account?.trace,
      },
      (span) => this.exchange(request, path, limit, started, span),
      (answered) => answered.status,
      failureName,
    );
    if (request.idempotent && response.status === 429 && !waited429) {
      const seconds = retryAfterHeader(response);
      const waitMs = Math.max(seconds ?? 0, 0.05) * 1000;
      const left = (request.account?.deadline ?? Infinity) - performance.now();
      if (
        seconds !== undefined &&
        seconds <= SHORT_RETRY_AFTER_SECONDS &&
        // Not from the retry budget: one more call at most, after OneLogin's own
        // Retry-After, and a replica with no recent traffic must wait out a burst too.
        left >= waitMs + MIN_ATTEMPT_MS
      ) {
        this.options.logger.debug(
          { route: request.route, retryAfterSeconds: seconds },
          'upstream 429 burst: waiting it out, then one more try',
        );
        calls.reason = '429 burst';
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        await request.account?.spend();
        this.options.observer?.retry(request.route);
        return this.attempt(request, calls, true);
      }
    }
    if (request.idempotent && (request.retryStatuses ?? RETRYABLE_STATUSES).has(response.status)) {
      // Retried inside the policy; after the last attempt the caller maps it.
      throw new UpstreamFailureError(
        { kind: 'status', status: response.status, rateLimited: false },
        true,
      );
    }
    return response;
  }

  /** The HTTP exchange of one attempt, inside its client span (which adds `traceparent`). */
  private async exchange(
    request: HttpRequest,
    path: string,
    limit: number,
    started: number,
    span: ClientSpan,
  ): Promise<HttpResponse> {
    const sent: SentState = { connected: false };
    const call = this.roundTrip(request, path, span.inject(request.headers), limit, sent);
    this.inFlight.add(call);
    let response: HttpResponse;
    try {
      response = await call;
    } catch (error) {
      throw this.transportFailure(request, error, started, sent.connected);
    } finally {
      this.inFlight.delete(call);
    }
    const elapsed = performance.now() - started;
    this.options.observer?.call(request.route, response.status, undefined, elapsed / 1000);
    if (this.options.logger.isLevelEnabled('debug')) {
      this.options.logger.debug(
        {
          route: request.route,
          status: response.status,
          ms: Math.round(elapsed),
          ...span.logFields(),
        },
        'upstream response',
      );
    }
    return response;
  }

  /**
   * One request and its whole answer, within `limit` ms (the attempt's time
   * limit: connecting, waiting for a socket of the pool, the headers and the
   * body, all of it; then the request is destroyed). `sent.connected` says
   * whether it reached a connected socket, after which a write may have landed.
   */
  private roundTrip(
    request: HttpRequest,
    path: string,
    headers: Readonly<Record<string, string>> | undefined,
    limit: number,
    sent: SentState,
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const outgoing: Record<string, string> = { ...headers };
      if (request.body !== undefined) {
        outgoing['content-length'] = String(Buffer.byteLength(request.body));
      }
      const options: RequestOptions = {
        agent: request.idempotent ? this.agent : this.writeAgent,
        protocol: this.origin.protocol,
        // `[::1]` in a URL, `::1` to connect to.
        hostname: this.origin.hostname.replace(/^\[(.*)\]$/, '$1'),
        ...(this.origin.port ? { port: this.origin.port } : {}),
        method: request.method,
        path,
        headers: outgoing,
      };
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(error);
      };
      const req = this.send(options);
      // Cleared as soon as the body is read (see fail and the 'end' listener); not
      // AbortSignal.timeout, whose timer runs to the end whatever happens (every call
      // that succeeded fired it later: 3.6 % of a 50-event page's CPU, see History).
      const timer = setTimeout(() => fail(timeoutError()), limit);
      timer.unref();
      req.once('socket', (socket) => {
        if (!socket.connecting) sent.connected = true;
        else socket.once('connect', () => (sent.connected = true));
      });
      // `on`, not `once`: destroying a request that failed may emit another error.
      req.on('error', fail);
      req.once('response', (res: IncomingMessage) => {
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_RESPONSE_BYTES) {
          fail(tooLargeError());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) fail(tooLargeError());
          else chunks.push(chunk);
        });
        res.on('error', fail);
        // The connection closed before the whole body came ('end' never does then).
        res.once('close', () => {
          if (!res.complete) fail(resetError());
        });
        res.once('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body:
              chunks.length === 1
                ? chunks[0]!.toString('utf8')
                : Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(request.body);
    });
  }

  private transportFailure(
    request: HttpRequest,
    error: unknown,
    started: number,
    connected: boolean,
  ): UpstreamFailureError {
    const elapsed = performance.now() - started;
    const ms = Math.round(elapsed);
    const code = errorCode(error);
    const timedOut = errorName(error) === 'TimeoutError';
    // Before a connected socket, nothing was written: a write can be told it failed.
    const notSent = !connected || (code !== undefined && NOT_SENT_CODES.has(code));
    this.options.observer?.call(
      request.route,
      undefined,
      timedOut ? 'timeout' : 'network',
      elapsed / 1000,
    );
    this.options.logger.warn(
      {
        route: request.route,
        ms,
        error: code ?? (error instanceof Error ? error.name : 'unknown'),
      },
      'upstream call failed',
    );
    if (!request.idempotent && !notSent) {
      return new UpstreamFailureError({ kind: 'outcome-unknown' }, false);
    }
    if (timedOut) {
      // Retried: the time limit of one attempt is well under the request's deadline,
      // and the retry budget keeps a hung upstream from costing retries × calls.
      return new UpstreamFailureError({ kind: 'timeout' }, true);
    }
    return new UpstreamFailureError({ kind: 'network' }, true);
  }
}

/** Whether an attempt's request reached a connected socket (then a write may have landed). */
interface SentState {
  connected: boolean;
}

/** An attempt that ran out of time (named as AbortSignal.timeout names it). */
function timeoutError(): Error {
  return Object.assign(new Error('the attempt ran out of time'), { name: 'TimeoutError' });
}

function tooLargeError(): Error {
  return Object.assign(new Error(`the answer exceeds ${MAX_RESPONSE_BYTES} bytes`), {
    code: RESPONSE_TOO_LARGE,
  });
}

function resetError(): Error {
  return Object.assign(new Error('the connection closed before the whole answer came'), {
    code: 'ECONNRESET',
  });
}

/** The HTTP calls of one `request()` so far, and why the next one is made (for its span). */
interface AttemptCount {
  made: number;
  reason: string | undefined;
}

/** What a call failed with, for a span: `timeout`, `network`, `status 503`, …; never a message. */
function failureName(error: unknown): string {
  if (!(error instanceof UpstreamFailureError)) return 'error';
  const { failure } = error;
  return failure.kind === 'status' ? `status ${failure.status}` : failure.kind;
}

/** Whether a failure says the upstream is in trouble (it counts against the route's circuit). */
function isOutage(failure: UpstreamFailure): boolean {
  switch (failure.kind) {
    case 'network':
    case 'timeout':
    case 'bad-response':
    case 'outcome-unknown':
      return true;
    case 'status':
      return failure.status >= 500;
    default:
      return false;
  }
}

function errorName(error: unknown): string | undefined {
  const name =
    typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** `?a=1&b=2` from the defined entries, in the order given; '' when none. */
export function queryString(query: Readonly<Record<string, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The first value of a response header, lower-case name. */
export function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `Retry-After` header in seconds, when it is a number (OneLogin sends seconds). */
export function retryAfterHeader(response: HttpResponse): number | undefined {
  const seconds = Number(headerValue(response, 'retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
