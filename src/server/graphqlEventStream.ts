import type http from 'node:http';

import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { createHandler } from 'graphql-sse';
import type { OperationArgs, OperationResult } from 'graphql-sse';

import type { Caller } from '../auth/Caller';
import { ErrorCode } from '../errors/ErrorCode';
import type { Logger } from '../logging/createLogger';
import type { LiveOperations } from './liveOperations';
import { isAsyncIterator } from './liveOperations';

export interface GraphQLEventStreamOptions {
  operations: LiveOperations;
  logger: Logger;
  /** Epoch ms, for token expiry (tests inject one). */
  clock?: () => number;
}

export interface GraphQLEventStream {
  /**
   * Serves one GraphQL-over-SSE request (`accept: text/event-stream`) of an
   * authenticated, admitted caller; `body` is the request body, already read
   * within the gateway's size limit (empty for a GET).
   */
  serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    caller: Caller,
    body: string,
  ): Promise<void>;
  /** Event streams open now. */
  streams(): number;
  /** Ends every open stream (after its last event) and refuses new ones. */
  close(): Promise<void>;
}

interface RawRequest {
  req: http.IncomingMessage;
  caller: Caller;
}

/**
 * GraphQL over Server-Sent Events (graphql-sse's protocol, "distinct
 * connections mode": one request per subscription, its response the event
 * stream) on the gateway's `/graphql`, for requests that accept
 * `text/event-stream`: what Hive Gateway and Apollo Router can use towards a
 * subgraph, and what `curl -N` can read. The caller is authenticated from the
 * request's headers before it gets here (401/429 like any request); the
 * subscription goes through the same subscribe path as over WebSocket
 * (LiveOperations: trusted documents, limits, subscriptions only, the one
 * error mask). As the protocol requires, a document or input that is refused
 * is reported in the accepted stream, as a `next` event with the errors and
 * then `complete`, not as an HTTP error (an EventSource would retry one).
 *
 * "Single connection mode" (stream reservations with PUT) is off: each
 * subscription is a request of its own, counted against the caller's request
 * rate like any other. A token's expiry ends its streams with an
 * UNAUTHENTICATED `next` event, then `complete`.
 */
export function createGraphQLEventStream(options: GraphQLEventStreamOptions): GraphQLEventStream {
  const { operations, logger } = options;
  const clock = options.clock ?? Date.now;
  const open = new Set<{ end: () => void }>();
  let closed = false;

  const handler = createHandler<RawRequest, undefined, undefined>({
    // No reservations: every stream is the response to the request that subscribes.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const prepared = await operations.prepare(req.raw.caller, params);
      // Refused before any upstream call, reported in the stream (formatted by onNext). The
      // library tells a result from arguments by a `data` key; undefined, it is not sent.
      if (Array.isArray(prepared)) return { data: undefined, errors: prepared };
      // Our Context as the library's opaque operation context (it only passes it on).
      return prepared as unknown as OperationArgs<undefined>;
    },
    subscribe: (args: ExecutionArgs) => {
      const raw = (args.contextValue as { caller?: Caller } | undefined)?.caller;
      return untilExpiry(operations.run(args), raw?.expiresAt) as OperationResult;
    },
    // The one error mask; formatted errors are what the library serialises.
    onNext: (_ctx, _req, result) =>
      operations.format(result as ExecutionResult) as unknown as ExecutionResult,
  });

  /** Ends the subscription with UNAUTHENTICATED when the caller's token expires. */
  async function untilExpiry(
    started: Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>,
    expiresAt: number | undefined,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const result = await started;
    if (expiresAt === undefined || !isAsyncIterator(result)) return result;
    return expiring(result, expiresAt);
  }

  /**
   * `source`, ended at `expiresAt` with one UNAUTHENTICATED result. An iterator
   * object rather than an async generator: a generator's `return()` waits for
   * its pending `next()`, which for a quiet feed is the next event, so a client
   * that goes away would keep its subscription until then.
   */
  function expiring(
    source: AsyncIterableIterator<ExecutionResult>,
    expiresAt: number,
  ): AsyncIterableIterator<ExecutionResult> {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      // Timers hold 32-bit delays; a token valid for longer than ~24 days ends then at the latest.
      timer = setTimeout(
        () => resolve('expired'),
        Math.min(Math.max(0, expiresAt - clock()), 2 ** 31 - 1),
      );
      timer.unref();
    });
    const finish = async () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      await source.return?.();
    };
    const done = { done: true, value: undefined } as const;
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        if (finished) return done;
        const next = await Promise.race([source.next(), expired]);
        if (next !== 'expired') {
          if (next.done) await finish();
          return next;
        }
        await finish();
        return {
          done: false,
          value: {
            errors: [
              new GraphQLError(
                `The token expired at ${new Date(expiresAt).toISOString()}: subscribe again with a new one and resume with after.`,
                { extensions: { code: ErrorCode.UNAUTHENTICATED } },
              ),
            ],
          },
        };
      },
      async return() {
        await finish();
        return done;
      },
      async throw(error: unknown) {
        await finish();
        throw error;
      },
    };
    return iterator;
  }

  return {
    async serve(req, res, caller, body) {
      if (closed) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            errors: [
              {
                message:
                  'The gateway is shutting down: subscribe again, to any replica, and resume with after.',
                extensions: { code: ErrorCode.LIVE_FEED_UNAVAILABLE },
              },
            ],
          }),
        );
        return;
      }
      const [stream, init] = await handler({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: {
          // The library wants `accept` to be exactly this; the server has checked that it is accepted.
          get: (key) =>
            key === 'accept'
              ? 'text/event-stream'
              : key === 'content-type' && req.method === 'POST'
                ? 'application/json'
                : headerValue(req.headers[key]),
        },
        body: () => Promise.resolve(body),
        raw: { req, caller },
        context: undefined,
      });
      res.writeHead(init.status, init.statusText, init.headers);
      if (!stream || typeof stream === 'string') {
        await new Promise<void>((resolve) => res.end(stream ?? undefined, () => resolve()));
        return;
      }
      const entry = { end: () => void stream.return?.(undefined) };
      open.add(entry);
      res.once('close', entry.end);
      logger.debug({ caller: caller.name }, 'event stream opened');
      try {
        for await (const chunk of stream) {
          if (!res.writable) break;
          // Written as it comes: no buffering between OneLogin's event and the subscriber.
          res.write(chunk);
        }
      } finally {
        open.delete(entry);
        res.off('close', entry.end);
        res.end();
        logger.debug({ caller: caller.name }, 'event stream closed');
      }
    },
    streams: () => open.size,
    async close() {
      closed = true;
      // The live feed has just ended every subscription with a last event: let the streams send
      // it and `complete` (up to a second), then end those still open.
      const flushed = Date.now() + 1000;
      while (open.size > 0 && Date.now() < flushed) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const entry of [...open]) entry.end();
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
