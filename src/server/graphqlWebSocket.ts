import type http from 'node:http';
import type { Duplex } from 'node:stream';

import { CloseCode, handleProtocols } from 'graphql-ws';
import type * as UseWs from 'graphql-ws/dist/use/ws.cjs';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

import { AuthFailure } from '../auth/AuthFailure';
import type { Caller } from '../auth/Caller';
import { ErrorCode } from '../errors/ErrorCode';
import { RateLimitedError } from '../limits/CallerRateLimits';
import type { Logger } from '../logging/createLogger';
import type { LiveOperations } from './liveOperations';

/**
 * graphql-ws publishes `graphql-ws/use/ws` through package.json `exports` only,
 * which the compiler's node10 resolution does not read (Node, tsx and Jest do):
 * required at run time, typed from its declaration file by path.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as typeof UseWs;

/** Close codes beyond graphql-ws's own (4401 Unauthorized, 4403 Forbidden, 4500 Internal). */
export const LIVE_CLOSE = {
  /** The credential is missing or refused, or it expired (the reason says which). */
  unauthenticated: CloseCode.Unauthorized,
  /** The keys to check a token could not be had (AUTH_UNAVAILABLE): try again shortly. */
  authUnavailable: 4503,
  /** The caller's request rate (RATE_LIMIT_REQUESTS_PER_MINUTE) is spent. */
  rateLimited: 4429,
  /** The gateway is shutting down (WebSocket's "going away"): reconnect, to any replica. */
  shutdown: 1001,
} as const;

const MAX_MESSAGE_BYTES = 1024 * 1024;
const FOREIGN_ORIGIN =
  'WebSocket connections from pages of this origin are not allowed: the gateway accepts the origins in CORS_ORIGINS.';
/** graphql-ws's ping: idle connections are checked (and dead ones dropped) this often. */
const KEEP_ALIVE_MS = 12_000;

export interface GraphQLWebSocketOptions {
  httpServer: http.Server;
  path: string;
  /** The Authenticator, on headers built from the connection parameters or the upgrade request. */
  authenticate: (headers: http.IncomingHttpHeaders, address: string | undefined) => Promise<Caller>;
  /** The caller's request limit: a connection and each subscription count as one request. */
  admit: (caller: Caller) => Promise<void>;
  operations: LiveOperations;
  /**
   * The origins whose pages may connect (CORS_ORIGINS) besides the gateway's
   * own: browsers apply no CORS to WebSockets, so the upgrade checks `Origin`
   * itself. `*`: any. A client that sends no `Origin` (not a browser) is not a
   * page of any origin.
   */
  origins: '*' | readonly string[];
  logger: Logger;
  /** Epoch ms, for token expiry (tests inject one). */
  clock?: () => number;
}

export interface GraphQLWebSocket {
  /** Open connections now. */
  connections(): number;
  /** Closes every connection (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

interface ConnectionState {
  caller?: Caller;
  expiry?: NodeJS.Timeout;
}

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on
 * the gateway's HTTP server, at `path`. The credential is read from the
 * `connection_init` payload (`authorization` or `x-api-key`, as the HTTP
 * headers are named) or else from the upgrade request's headers, and checked
 * by the same Authenticator as queries; a refused connection is closed with
 * 4401 (4503 when the keys cannot be had, 4429 over the request limit) and
 * the reason. A token's expiry closes its connection then (4401). A page of
 * an origin CORS_ORIGINS does not list cannot connect at all (HTTP 403 to the
 * upgrade): otherwise any site its user visits could subscribe with what the
 * gateway grants without credentials (AUTH_MODE=none behind a network
 * boundary, or anonymous callers outside production).
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { httpServer, logger, operations } = options;
  const clock = options.clock ?? Date.now;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Only graphql-transport-ws: the legacy subscriptions-transport-ws protocol is refused.
    handleProtocols: (protocols) => handleProtocols(protocols) || false,
  });
  const states = new WeakMap<object, ConnectionState>();
  /** The operations running on each open connection (graphql-ws's own record of them). */
  const running = new Set<{ subscriptions: Record<string, unknown> }>();
  const stateOf = (extra: object): ConnectionState => {
    let state = states.get(extra);
    if (!state) {
      state = {};
      states.set(extra, state);
    }
    return state;
  };
  const refuse = (socket: WebSocket, code: number, reason: string) => {
    // A close reason is at most 123 bytes (RFC 6455 §5.5): the message is cut to fit.
    socket.close(code, truncate(reason, 123));
  };

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== options.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!originAllowed(request, options.origins)) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(FOREIGN_ORIGIN)}\r\n\r\n${FOREIGN_ORIGIN}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  httpServer.on('upgrade', onUpgrade);

  const server = useServer<Record<string, unknown> | undefined>(
    {
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        let caller: Caller;
        try {
          caller = await options.authenticate(
            credentialHeaders(ctx.connectionParams, request.headers),
            request.socket.remoteAddress,
          );
          await options.admit(caller);
        } catch (error) {
          if (error instanceof AuthFailure || error instanceof RateLimitedError) {
            // A refusal, like an HTTP 401 or 429: said at info, never with the credential.
            logger.info(
              {
                code: error instanceof AuthFailure ? error.code : ErrorCode.RATE_LIMITED,
                address: request.socket.remoteAddress,
              },
              'WebSocket connection refused',
            );
          }
          if (error instanceof AuthFailure) {
            refuse(
              socket,
              error.status === 503 ? LIVE_CLOSE.authUnavailable : LIVE_CLOSE.unauthenticated,
              error.message,
            );
            return false;
          }
          if (error instanceof RateLimitedError) {
            refuse(socket, LIVE_CLOSE.rateLimited, error.message);
            return false;
          }
          throw error;
        }
        const state = stateOf(ctx.extra);
        state.caller = caller;
        running.add(ctx);
        logger.debug({ caller: caller.name }, 'WebSocket connection opened');
        if (caller.expiresAt !== undefined) {
          const closeAt = caller.expiresAt;
          const close = () =>
            refuse(
              socket,
              LIVE_CLOSE.unauthenticated,
              `The token expired at ${new Date(closeAt).toISOString()}: reconnect with a new one and resume with after.`,
            );
          const delay = closeAt - clock();
          if (delay <= 0) {
            close();
            return false;
          }
          // Timers hold 32-bit delays; a token valid for longer than ~24 days is checked again then.
          state.expiry = setTimeout(close, Math.min(delay, 2 ** 31 - 1));
          state.expiry.unref();
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const caller = stateOf(ctx.extra).caller;
        if (!caller)
          return [
            new GraphQLError('Not authenticated', {
              extensions: { code: ErrorCode.UNAUTHENTICATED },
            }),
          ];
        try {
          await options.admit(caller);
        } catch (error) {
          if (error instanceof RateLimitedError) {
            return [
              new GraphQLError(error.message, {
                extensions: {
                  code: ErrorCode.RATE_LIMITED,
                  retryAfterSeconds: error.retryAfterSeconds,
                },
              }),
            ];
          }
          throw error;
        }
        return operations.prepare(caller, payload);
      },
      subscribe: (args: ExecutionArgs) => operations.run(args),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) => operations.format(result),
      onError: (_ctx, _id, _payload, errors) =>
        errors.map(
          (error) =>
            operations.format({ errors: [error] }).errors?.[0] ?? { message: error.message },
        ),
      onClose: (ctx, code) => {
        running.delete(ctx);
        logger.debug(
          { caller: states.get(ctx.extra)?.caller?.name, code },
          'WebSocket connection closed',
        );
        const state = states.get(ctx.extra);
        if (state?.expiry) clearTimeout(state.expiry);
      },
    },
    wss,
    KEEP_ALIVE_MS,
  );
  wss.on('error', (error) => logger.warn({ err: error }, 'WebSocket server error'));

  return {
    connections: () => wss.clients.size,
    async close() {
      httpServer.off('upgrade', onUpgrade);
      // The live feed has just ended every subscription with a last payload: let graphql-ws send
      // it and its `complete` (up to a second) before the sockets close.
      const flushed = Date.now() + 1000;
      while (
        Date.now() < flushed &&
        [...running].some((ctx) => Object.keys(ctx.subscriptions).length > 0)
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const client of wss.clients) {
        client.close(
          LIVE_CLOSE.shutdown,
          'The gateway is shutting down: reconnect and resume with after.',
        );
      }
      await server.dispose();
      // A client that does not answer the close handshake within a second is cut off: a
      // WebSocketServer's close() leaves its connections open.
      const handshakes = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < handshakes) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The credential as HTTP headers, for the Authenticator: from the connection
 * parameters when they carry one (browsers cannot set headers on a WebSocket),
 * otherwise the upgrade request's own headers.
 */
export function credentialHeaders(
  params: Record<string, unknown> | undefined,
  headers: http.IncomingHttpHeaders,
): http.IncomingHttpHeaders {
  const authorization = param(params, 'authorization');
  const apiKey = param(params, 'x-api-key');
  if (authorization === undefined && apiKey === undefined) {
    return { authorization: headers.authorization, 'x-api-key': headers['x-api-key'] };
  }
  return {
    ...(authorization !== undefined ? { authorization } : {}),
    ...(apiKey !== undefined ? { 'x-api-key': apiKey } : {}),
  };
}

/** A connection parameter by name, case-insensitive (`Authorization` or `authorization`). */
function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!params) return undefined;
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : '';
  }
  return undefined;
}

/**
 * Whether the upgrade's `Origin` may connect: none (not a browser), `*`, a
 * listed origin, or the gateway's own (the explorer it serves, whose origin
 * is the `Host` it was asked at, whatever scheme a TLS proxy adds in front).
 */
function originAllowed(request: http.IncomingMessage, origins: '*' | readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origins === '*' || origins.includes(origin)) return true;
  try {
    return request.headers.host !== undefined && new URL(origin).host === request.headers.host;
  } catch {
    return false; // not an origin (`null`, from a sandboxed page or a file)
  }
}

function truncate(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes - 1);
  while (Buffer.byteLength(`${cut}…`) > maxBytes) cut = cut.slice(0, -1);
  return `${cut}…`;
}
