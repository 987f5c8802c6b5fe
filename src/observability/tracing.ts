/**
 * OpenTelemetry tracing, instrumented by hand: a server span per GraphQL HTTP
 * request (continuing the caller's W3C `traceparent` when TRACING_CONTINUE_TRACEPARENT
 * trusts it, else linking to it from a trace of its own), a client span per
 * OneLogin call attempt (passing `traceparent` on), and a span per cache
 * look-up that decides whether a call is made. No auto-instrumentation: those
 * record whole URLs, and OneLogin's query strings are not for a trace.
 *
 * Each gateway has its own tracer provider, used explicitly and never
 * registered as the global one, so that two gateways in one process (tests)
 * cannot see each other's spans. No context manager is registered either: a
 * request's place in its trace (a TraceParent) is carried explicitly, on its
 * RequestFacts and its UpstreamBudget, to every call and cache look-up it
 * makes. OpenTelemetry's AsyncLocalStorage context manager would carry it
 * implicitly, but on Node 20 and 22 it turns on promise hooks for every
 * promise in the process, and GraphQL execution makes many: measured, that
 * cost most of tracing's CPU price, sampled or not (docs/BENCHMARKS.md). With
 * tracing off, every method here is a plain call of the function it wraps.
 *
 * What a span may carry: routes (`GET /api/1/events/:id`), paths without their
 * query, statuses, attempt numbers, cache names and hit counts, GraphQL
 * operation names and types, error codes. Never headers, tokens, bodies, query
 * strings, variables or documents.
 */
import type http from 'node:http';

import type { Context as OtelContext, Span } from '@opentelemetry/api';
import { isSpanContextValid, trace } from '@opentelemetry/api';

import type { TracingConfig } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';

/**
 * A request's place in its trace: the span that the request's upstream calls
 * and cache look-ups are children of (its server span). Opaque; undefined
 * when the work is nobody's request or tracing is off.
 */
export type TraceParent = OtelContext;

/** One attempt of an upstream call, as HttpTransport describes it. */
export interface ClientCall {
  method: string;
  /** e.g. `GET /api/1/events/:id`: the span's name; never holds credentials or a query. */
  route: string;
  /** The upstream origin, e.g. https://acme.onelogin.com. */
  origin: URL;
  /** The path without its query string. */
  path: string;
  /** 1 for the first call, 2 for the first retry, … */
  attempt: number;
  /** Why this call is made again (`status 503`, `timeout`, `429 burst`); undefined for the first. */
  retryReason: string | undefined;
  /** The request the call works for; undefined: a trace of its own (a background refresh, a probe). */
  parent: TraceParent | undefined;
}

/** The running client span, as the wrapped call sees it. */
export interface ClientSpan {
  /** `headers` with `traceparent` (and `tracestate`) of this span added; `headers` itself when off. */
  inject(
    headers: Readonly<Record<string, string>> | undefined,
  ): Readonly<Record<string, string>> | undefined;
  /** `trace_id` and `span_id` of this span, for a log line about the call; `{}` when off. */
  logFields(): object;
}

/** The facts of a GraphQL operation, for the request's server span. */
export interface OperationFacts {
  type: string | undefined;
  name: string | undefined;
}

/** The outcome of a GraphQL operation. */
export interface OperationOutcome {
  /** The response's distinct `extensions.code`s. */
  errorCodes: readonly string[];
  /** Whether an error was not the client's (an upstream's or the gateway's). */
  failed: boolean;
  /** How many OneLogin calls the request made. */
  upstreamCalls: number | undefined;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Starts the server span of an HTTP request to `route` (a GraphQL request),
   * continuing the request's `traceparent` when trusted (else linked to it);
   * the span ends when the response is sent, whoever sent it (401 and 429
   * refusals included). Returns the request's TraceParent, for its facts and
   * budget.
   */
  startRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: string,
  ): TraceParent | undefined;
  /** Names the request's server span after its GraphQL operation. */
  describeOperation(request: TraceParent | undefined, facts: OperationFacts): void;
  /** Records the request's GraphQL outcome on its server span. */
  recordOutcome(request: TraceParent | undefined, outcome: OperationOutcome): void;
  /**
   * Runs one upstream call attempt inside a client span named after its route
   * (a child of `call.parent`); `statusOf` reads the HTTP status from the
   * result, `errorType` names a failure (e.g. `timeout`): both without the
   * request's details.
   */
  clientCall<T>(
    call: ClientCall,
    run: (span: ClientSpan) => Promise<T>,
    statusOf: (result: T) => number,
    errorType: (error: unknown) => string,
  ): Promise<T>;
  /**
   * Runs a cache look-up inside a `cache.get` span, a child of `parent`:
   * `cache.name`, and from `outcome` whether it was a hit (and, for a
   * multi-key look-up, how many keys hit).
   */
  cacheLookup<T>(
    name: string,
    parent: TraceParent | undefined,
    lookup: () => Promise<T>,
    outcome: (result: T) => { hit: boolean; keys?: number; hits?: number },
  ): Promise<T>;
  /** Sends what is buffered and stops (bounded in time); a no-op when off. */
  shutdown(): Promise<void>;
}

/** A Tracing that records nothing: what every component uses unless given one. */
export const NO_TRACING: Tracing = {
  enabled: false,
  startRequest: () => undefined,
  describeOperation: () => undefined,
  recordOutcome: () => undefined,
  clientCall: (_call, run) => run(NO_CLIENT_SPAN),
  cacheLookup: (_name, _parent, lookup) => lookup(),
  shutdown: () => Promise.resolve(),
};

const NO_LOG_FIELDS: object = Object.freeze({});
const NO_CLIENT_SPAN: ClientSpan = { inject: (headers) => headers, logFields: () => NO_LOG_FIELDS };

/**
 * Tracing as configured: NO_TRACING when it is off, otherwise a tracer provider
 * of this gateway's own exporting OTLP/HTTP to `config.endpoint`
 * (openTelemetryTracing.ts). Says at start-up which it is. OpenTelemetry's SDK
 * and exporters are loaded only when tracing is on: they are some 330 modules,
 * about 0.3 s of CPU to load on the 2-core machine.
 */
export async function createTracing(config: TracingConfig, logger: Logger): Promise<Tracing> {
  if (!config.enabled || config.endpoint === undefined) {
    logger.info({ tracing: 'off' }, `Tracing is off: ${config.offBecause ?? 'not configured'}`);
    return NO_TRACING;
  }
  const { startOpenTelemetryTracing } = await import('./openTelemetryTracing');
  return startOpenTelemetryTracing({ ...config, endpoint: config.endpoint }, logger);
}

/**
 * `trace_id` and `span_id` of a request's server span, for its log lines (the
 * access log's, its errors'), so that a line leads to its trace; `{}` when the
 * request is not traced.
 */
export function traceLogFields(request: TraceParent | undefined): object {
  const span = request && trace.getSpan(request);
  return span ? logFieldsOf(span) : NO_LOG_FIELDS;
}

/** A log line's link to its trace: `trace_id` and `span_id` (nothing for an invalid context). */
export function logFieldsOf(span: Span): object {
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return NO_LOG_FIELDS;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
