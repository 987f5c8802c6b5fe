import http from 'node:http';

import type { ApolloServer, HTTPGraphQLRequest } from '@apollo/server';
import { HeaderMap } from '@apollo/server';

import type { Logger } from '../logging/createLogger';
import type { Context } from './context';

export interface CreateHttpServerOptions {
  apollo: ApolloServer<Context>;
  /** Builds the per-request context. */
  context: () => Context;
  corsOrigins: '*' | readonly string[];
  logger: Logger;
  /** Extra facts for `GET /healthz`. */
  health?: () => Record<string, unknown>;
}

export const GRAPHQL_PATH = '/graphql';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The gateway's HTTP server: `POST`/`GET /graphql` (Apollo Sandbox for a
 * browser's GET outside production), `GET /healthz`, CORS. Plain node:http
 * around Apollo's `executeHTTPGraphQLRequest`, with nothing else on the hot path.
 */
export function createHttpServer(options: CreateHttpServerOptions): http.Server {
  const { apollo, logger } = options;
  return http.createServer((req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
    setCorsHeaders(req, res, options.corsOrigins);

    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers':
          req.headers['access-control-request-headers'] ?? 'content-type, apollo-require-preflight',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJSON(res, 200, { status: 'ok', ...options.health?.() });
      return;
    }
    if (pathname === '/' && req.method === 'GET') {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    if (pathname !== GRAPHQL_PATH) {
      sendJSON(res, 404, { error: `Not found: the GraphQL endpoint is ${GRAPHQL_PATH}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      sendJSON(res, 405, {
        errors: [{ message: 'Use GET or POST', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }

    readBody(req)
      .then(async (raw) => {
        let body: unknown;
        if (req.method === 'POST') {
          const contentType = req.headers['content-type'] ?? '';
          if (contentType.includes('json')) {
            try {
              body = raw.length === 0 ? undefined : JSON.parse(raw);
            } catch {
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
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined)
            headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const request: HTTPGraphQLRequest = {
          method: req.method as string,
          headers,
          search: queryStart === -1 ? '' : url.slice(queryStart),
          body,
        };
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: request,
          context: async () => options.context(),
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
        logger.error({ err: error }, 'HTTP request failed');
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
  });
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
  } else if (origin && origins.includes(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
  }
}

function sendJSON(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
