import http from 'node:http';

import type { ApolloServer, HTTPGraphQLRequest } from '@apollo/server';
import { HeaderMap } from '@apollo/server';

import { AuthFailure } from '../auth/AuthFailure';
import type { Caller } from '../auth/Caller';
import { ErrorCode } from '../errors/ErrorCode';
import { RateLimitedError } from '../limits/CallerRateLimits';
import type { Logger } from '../logging/createLogger';
import type { RequestEnd } from '../observability/observeRequest';
import type { Tracing } from '../observability/tracing';
import { NO_TRACING, traceLogFields } from '../observability/tracing';
import type { Context } from './context';
import type { RequestFacts } from './requestFacts';
import { newRequestFacts } from './requestFacts';
import type { Explorer } from './explorer/createExplorer';
import type { GraphQLEventStream } from './graphqlEventStream';
import type { TrustedDocuments } from './trustedDocuments';
import { TrustedDocumentError } from './trustedDocuments';

export interface CreateHttpServerOptions {
  apollo: ApolloServer<Context>;
  /** Who sends the request; throws AuthFailure (see auth/Authenticator). */
  authenticate: (req: http.IncomingMessage) => Promise<Caller>;
  /** Counts the request against the caller's limits; throws RateLimitedError. */
  admit: (caller: Caller) => Promise<void>;
  /** Builds the per-request context. */
  context: (caller: Caller, facts: RequestFacts) => Context;
  /** Trusted documents (TRUSTED_DOCUMENTS), when on. */
  documents?: TrustedDocuments;
  corsOrigins: '*' | readonly string[];
  /** Whether `GET /graphql?query=…` runs queries (GRAPHQL_GET_QUERIES); POST always does. */
  getQueries: boolean;
  /** The page a browser gets at the GraphQL URL (GRAPHQL_EXPLORER), and its files. */
  explorer: Explorer;
  logger: Logger;
  /** Extra facts for `GET /healthz`. */
  health?: () => Record<string, unknown>;
  /** `GET /readyz`: whether this replica should get traffic, and why not (see server/Readiness). */
  readiness?: () => Promise<{ ready: boolean; body: Record<string, unknown> }>;
  /** `GET /metrics` on this port (absent: not served here, e.g. with METRICS_PORT). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** True once the gateway is shutting down: responses ask clients to close their connection. */
  draining?: () => boolean;
  /** Told how each request ended (the access log and metrics, see observability/observeRequest). */
  observe?: (facts: RequestFacts, end: RequestEnd) => void;
  /** GraphQL over Server-Sent Events for requests that accept `text/event-stream` (subscriptions). */
  eventStream?: GraphQLEventStream;
  /** A server span per GraphQL request (continuing `traceparent`); absent: none. */
  tracing?: Tracing;
}

export const GRAPHQL_PATH = '/graphql';
const MAX_BODY_BYTES = 1024 * 1024;

const REALM = 'onelogin-events-gateway';

/**
 * The gateway's HTTP server: `POST`/`GET /graphql` (for a browser's GET, the
 * explorer of GRAPHQL_EXPLORER: Sandbox, GraphiQL or none, see explorer/), the
 * probes `GET /livez`, `/readyz` and `/healthz`, `GET /metrics` (unless on a
 * port of its own), CORS. Every response carries the request's id
 * (`x-request-id`), and every request ends in `observe` (its access-log line
 * and metrics). Plain node:http around Apollo's `executeHTTPGraphQLRequest`. Before Apollo sees a request,
 * in this order: the caller is authenticated from the headers alone (401/503,
 * before the body is even read), its request rate is checked (429), and, with
 * trusted documents, the document is looked up or refused before parsing.
 */
export function createHttpServer(options: CreateHttpServerOptions): http.Server {
  const { apollo, logger } = options;
  const tracing = options.tracing ?? NO_TRACING;
  const listener: http.RequestListener = (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
    const facts = newRequestFacts(req.headers['x-request-id']);
    let graphql = false;
    res.setHeader('x-request-id', facts.id);
    if (options.draining?.()) res.setHeader('connection', 'close');
    if (options.observe) {
      const observe = options.observe;
      res.once('close', () =>
        observe(facts, {
          method: req.method ?? 'GET',
          path: pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname,
          status: res.statusCode,
          seconds: (performance.now() - started) / 1000,
          graphql,
          aborted: !res.writableFinished,
        }),
      );
    }
    setCorsHeaders(req, res, options.corsOrigins);

    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers':
          req.headers['access-control-request-headers'] ??
          'content-type, authorization, x-api-key, apollo-require-preflight',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const probe = req.method === 'GET' || req.method === 'HEAD';
    if (pathname === '/healthz' && probe) {
      // Still 200 while draining (the process is healthy), saying so for whoever looks.
      sendJSON(res, 200, {
        status: 'ok',
        ...(options.draining?.() ? { draining: true } : {}),
        ...options.health?.(),
      });
      return;
    }
    if (pathname === '/livez' && probe) {
      // The process answers: nothing else is checked (a restart would not fix OneLogin).
      sendJSON(res, 200, { status: 'ok' });
      return;
    }
    if (pathname === '/readyz' && probe && options.readiness) {
      options.readiness().then(
        ({ ready, body }) => sendJSON(res, ready ? 200 : 503, body),
        (error: unknown) => {
          logger.error({ err: error }, 'readiness check failed');
          sendJSON(res, 503, { status: 'not ready', reasons: ['the readiness check failed'] });
        },
      );
      return;
    }
    if (pathname === '/metrics' && probe && options.metrics) {
      options.metrics().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'collecting metrics failed');
          sendJSON(res, 500, { error: 'collecting metrics failed' });
        },
      );
      return;
    }
    const explorerRequest = { pathname, hasSearch: queryStart !== -1, graphqlPath: GRAPHQL_PATH };
    if (options.explorer.handle(req, res, explorerRequest)) return;
    if (pathname === '/' && req.method === 'GET') {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    if (pathname !== GRAPHQL_PATH) {
      sendJSON(res, 404, { error: `Not found: the GraphQL endpoint is ${GRAPHQL_PATH}` });
      return;
    }
    // GraphQL over SSE (a subscription whose response is its event stream), GET (EventSource) or POST.
    const eventStream =
      options.eventStream && (req.headers.accept ?? '').includes('text/event-stream')
        ? options.eventStream
        : undefined;
    // A server span per request, but not per event stream: one lasts as long as its subscription
    // (hours), and its events are no request's (WebSocket subscriptions have none either).
    if (!eventStream) facts.trace = tracing.startRequest(req, res, GRAPHQL_PATH);
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      sendJSON(res, 405, {
        errors: [{ message: 'Use GET or POST', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }

    const landingPage = !eventStream && options.explorer.isApolloLandingPage(req, explorerRequest);
    if (req.method === 'GET' && !landingPage && !eventStream && !options.getQueries) {
      res.setHeader('allow', 'POST, OPTIONS');
      sendJSON(
        res,
        405,
        graphQLError(
          'This gateway runs GraphQL over POST only (GRAPHQL_GET_QUERIES is off).',
          'BAD_REQUEST',
        ),
      );
      return;
    }
    graphql = !landingPage;
    let caller: Caller | undefined;
    (landingPage ? Promise.resolve(undefined) : options.authenticate(req))
      .then(async (authenticated) => {
        caller = authenticated;
        if (caller) {
          facts.caller = caller.name;
          await options.admit(caller);
        }
        return readBody(req);
      })
      .then(async (raw) => {
        if (eventStream) {
          if (!caller) throw new Error('an event stream reached the handler unauthenticated');
          facts.operationType = 'subscription';
          await eventStream.serve(req, res, caller, raw);
          return;
        }
        let body: unknown;
        if (req.method === 'POST') {
          const contentType = req.headers['content-type'] ?? '';
          if (contentType.includes('json')) {
            try {
              body = raw.length === 0 ? undefined : JSON.parse(raw);
            } catch {
              facts.codes.push('BAD_REQUEST');
              sendJSON(res, 400, {
                errors: [
                  {
                    message: 'The request body is not valid JSON',
                    extensions: { code: 'BAD_REQUEST' },
                  },
                ],
              });
              return;
            }
          } else {
            body = raw; // Apollo answers with a clear 400 about the content type.
          }
        }
        let search = queryStart === -1 ? '' : url.slice(queryStart);
        if (options.documents && caller) {
          if (req.method === 'POST') body = await options.documents.resolveBody(body, caller);
          else search = await options.documents.resolveSearch(search, caller);
        }
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined)
            headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const request: HTTPGraphQLRequest = {
          method: req.method as string,
          headers,
          search,
          body,
        };
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: request,
          context: async () => {
            // Only the landing page comes without a caller, and it needs no context.
            if (!caller) throw new Error('a GraphQL request reached Apollo unauthenticated');
            return options.context(caller, facts);
          },
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') {
          res.end(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RequestStreamError)) facts.codes.push(refusalCode(error));
        if (error instanceof AuthFailure) {
          const headers: Record<string, string> =
            error.status === 401
              ? { 'www-authenticate': error.challenge(REALM) }
              : { 'retry-after': '5' };
          sendJSON(res, error.status, graphQLError(error.message, error.code), headers);
          return;
        }
        if (error instanceof RateLimitedError) {
          sendJSON(
            res,
            429,
            graphQLError(error.message, ErrorCode.RATE_LIMITED, {
              retryAfterSeconds: error.retryAfterSeconds,
            }),
            { 'retry-after': String(error.retryAfterSeconds) },
          );
          return;
        }
        if (error instanceof TrustedDocumentError) {
          sendJSON(res, error.status, graphQLError(error.message, error.code));
          return;
        }
        if (error instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          res.once('finish', () => req.destroy());
          sendJSON(res, 413, {
            errors: [
              {
                message: `The request body exceeds ${MAX_BODY_BYTES} bytes`,
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          });
          return;
        }
        if (error instanceof RequestStreamError) {
          // The client went away (or broke the connection) before sending its
          // whole body: nobody is left to answer, and it is not the gateway's fault.
          logger.debug({ err: error.cause }, 'the client aborted the request');
          res.destroy();
          return;
        }
        logger.error(
          { err: error, requestId: facts.id, ...traceLogFields(facts.trace) },
          'HTTP request failed',
        );
        if (!res.headersSent) {
          sendJSON(res, 500, {
            errors: [
              { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
            ],
          });
        } else {
          res.destroy();
        }
      });
  };
  return http.createServer(listener);
}

/** The code of a refusal made before Apollo saw the request (for the access log and metrics). */
function refusalCode(error: unknown): string {
  if (error instanceof AuthFailure || error instanceof TrustedDocumentError) return error.code;
  if (error instanceof RateLimitedError) return ErrorCode.RATE_LIMITED;
  if (error instanceof BodyTooLargeError) return 'BAD_REQUEST';
  return ErrorCode.INTERNAL_SERVER_ERROR;
}

class BodyTooLargeError extends Error {}

/** The request stream failed while its body was read: the client aborted or reset it. */
class RequestStreamError extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  if (req.method !== 'POST') {
    req.resume();
    return Promise.resolve('');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop keeping the body; the 413 is sent first and the connection closed
        // after it (destroying the request here would reset it before the answer).
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (error) => reject(new RequestStreamError(error.message, { cause: error })));
  });
}

function setCorsHeaders(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  origins: '*' | readonly string[],
): void {
  const origin = req.headers.origin;
  if (origins === '*') {
    res.setHeader('access-control-allow-origin', '*');
  } else {
    // The answer depends on the Origin whether or not it is allowed (caches must know).
    res.setHeader('vary', 'origin');
    if (origin && origins.includes(origin)) res.setHeader('access-control-allow-origin', origin);
  }
}

function graphQLError(
  message: string,
  code: string,
  extensions: Record<string, unknown> = {},
): { errors: unknown[] } {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

function sendJSON(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
