/**
 * The floor: the least work any gateway over OneLogin must do for the bench's
 * operations, and so the physical limit the gateway is measured against.
 *
 * Plain `node:http`; the bench's operations are recognised by their text (as a
 * persisted-query server would), so there is no GraphQL parsing, validation or
 * execution. Upstream it makes the same calls the gateway makes: one token at
 * start, the event-type catalogue once, `GET /api/1/events` pages of up to 50
 * with the same `fields=` projection, `GET /api/1/events/{id}` for events it has
 * not seen, and identical concurrent GETs shared. Each answer is `JSON.parse`d,
 * its fields picked and renamed, and the response `JSON.stringify`d.
 *
 * The upstream client is Node's `http.Agent` (keep-alive, 32 connections,
 * the most recently used first), the client and settings the gateway uses, so
 * that the comparison is about what happens between the two HTTP sides.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApolloAnswerer } from './apolloBound';
import { startApolloBound } from './apolloBound';
import type { Catalog, UpstreamEvent } from './eventFieldRules';
import { catalogFrom, messageFieldsOf, projectionFor, ruleFor } from './eventFieldRules';
import type { Operation } from './scenarios';

export interface FloorOptions {
  /** OneLogin's origin, e.g. the simulator's `http://127.0.0.1:40123`. */
  upstream: string;
  clientId: string;
  clientSecret: string;
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * The operations it answers, recognised by their exact text. The bench passes
   * its own, so that a schema edited during a run cannot make the two differ.
   */
  operations: readonly Operation[];
  /**
   * What answers GraphQL (default `plain`: the floor itself, by the operations'
   * text). `apollo` and `apollo-jit`: Apollo Server with graphql-js or
   * graphql-jit over the same upstream side and cache, for `event(id)` only
   * (apolloBound.ts).
   */
  engine?: 'plain' | 'apollo' | 'apollo-jit';
}

export interface Floor {
  /** e.g. http://127.0.0.1:40124/graphql */
  url: string;
  close(): Promise<void>;
}

/** OneLogin returns at most 50 events per page. */
const UPSTREAM_PAGE_SIZE = 50;
/** As many events as the gateway's in-memory event cache keeps by default. */
const MAX_CACHED_EVENTS = 50_000;

interface CompiledOperation {
  kind: Operation['kind'];
  /** `fields=` for list pages, or undefined for every field. */
  projection: string | undefined;
  /** The upstream fields a cached event needs to answer this operation. */
  needs: readonly string[] | undefined;
  shape(event: UpstreamEvent): Record<string, unknown>;
}

interface CachedEvent {
  event: UpstreamEvent;
  /** Fetched without a projection: it has every field OneLogin returns. */
  complete: boolean;
}

class UpstreamError extends Error {}

export async function startFloor(options: FloorOptions): Promise<Floor> {
  const upstream = new Upstream(options.upstream);
  const inFlight = new Map<string, Promise<unknown>>();
  const events = new Map<string, CachedEvent>();

  const token = await fetchToken(upstream, options);
  const authorization = `Bearer ${token}`;

  /** GET `path` as JSON; null for a 404. Identical concurrent GETs share one call. */
  const get = (pathAndQuery: string): Promise<unknown> => {
    const existing = inFlight.get(pathAndQuery);
    if (existing) return existing;
    const call = upstream
      .call('GET', pathAndQuery, { authorization, accept: 'application/json' })
      .then(({ status, text }) => {
        if (status === 404) return null;
        if (status !== 200) {
          throw new UpstreamError(`GET ${pathAndQuery.split('?')[0]}: ${status}`);
        }
        return JSON.parse(text) as unknown;
      })
      .finally(() => inFlight.delete(pathAndQuery));
    inFlight.set(pathAndQuery, call);
    return call;
  };

  const catalog: Catalog = catalogFrom(await get('/api/1/events/types'));
  const messageFields = messageFieldsOf(catalog);
  const operations = new Map<string, CompiledOperation>(
    options.operations.map((operation) => [
      operation.query,
      compile(operation, catalog, messageFields),
    ]),
  );

  /** Keeps an event seen upstream; `fields` are the ones it was fetched with (undefined: all). */
  const remember = (event: UpstreamEvent, fields: readonly string[] | undefined): void => {
    const key = String(event.id);
    const cached = events.get(key);
    const complete = fields === undefined;
    if (cached) {
      if (cached.complete || (!complete && fields.every((field) => field in cached.event))) return;
      events.set(key, { event: { ...cached.event, ...event }, complete });
      return;
    }
    events.set(key, { event, complete });
    if (events.size > MAX_CACHED_EVENTS) {
      events.delete(events.keys().next().value as string);
    }
  };

  const listEvents = async (
    operation: CompiledOperation,
    first: number,
    after: string | null,
  ): Promise<unknown> => {
    const nodes: Record<string, unknown>[] = [];
    let cursor = after;
    while (nodes.length < first) {
      const limit = Math.min(UPSTREAM_PAGE_SIZE, first - nodes.length);
      const page = (await get(
        `/api/1/events?limit=${limit}&sort=-created_at` +
          (operation.projection ? `&fields=${operation.projection}` : '') +
          (cursor ? `&after_cursor=${encodeURIComponent(cursor)}` : ''),
      )) as { data?: UpstreamEvent[]; pagination?: { after_cursor?: string | null } } | null;
      if (!page || !Array.isArray(page.data)) throw new UpstreamError('GET /api/1/events: no data');
      for (const event of page.data) {
        remember(event, operation.needs);
        nodes.push(operation.shape(event));
      }
      cursor = page.pagination?.after_cursor ?? null;
      if (!cursor || page.data.length === 0) break;
    }
    return { events: { nodes, pageInfo: { hasNextPage: cursor !== null, endCursor: cursor } } };
  };

  const getEvent = async (operation: CompiledOperation, id: string): Promise<unknown> => {
    const cached = events.get(id);
    if (
      cached &&
      (operation.needs === undefined
        ? cached.complete
        : operation.needs.every((field) => field in cached.event))
    ) {
      return { event: operation.shape(cached.event) };
    }
    const body = (await get(`/api/1/events/${encodeURIComponent(id)}`)) as {
      data?: UpstreamEvent[];
    } | null;
    const event = body?.data?.[0];
    if (!event) return { event: null };
    remember(event, undefined);
    return { event: operation.shape(event) };
  };

  const answer = async (text: string): Promise<unknown> => {
    const request = JSON.parse(text) as { query?: string; variables?: Record<string, unknown> };
    const operation = operations.get(request.query ?? '');
    if (!operation) throw new BadRequest('The floor answers only the bench operations');
    const variables = request.variables ?? {};
    return operation.kind === 'events'
      ? listEvents(operation, Number(variables['first']), (variables['after'] as string) ?? null)
      : getEvent(operation, String(variables['id']));
  };

  const engine = options.engine ?? 'plain';
  const eventOperation = [...operations.values()].find((operation) => operation.kind === 'event');
  const apollo =
    engine === 'plain'
      ? undefined
      : await startApolloBound({
          jit: engine === 'apollo-jit',
          event: async (id) => {
            if (!eventOperation) throw new Error('the floor was given no event(id) operation');
            const { event } = (await getEvent(eventOperation, id)) as {
              event: Record<string, unknown> | null;
            };
            return event;
          },
        });

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/graphql') {
      send(res, 404, { errors: [{ message: 'POST /graphql' }] });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (apollo) {
        answerWithApollo(apollo.answer, req, res, text);
        return;
      }
      answer(text).then(
        (data) => send(res, 200, { data }),
        (error: unknown) =>
          send(res, error instanceof BadRequest ? 400 : 502, {
            errors: [{ message: error instanceof Error ? error.message : String(error) }],
          }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      upstream.close();
      await apollo?.stop();
    },
  };
}

class BadRequest extends Error {}

function answerWithApollo(
  answer: ApolloAnswerer,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  text: string,
): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    send(res, 400, { errors: [{ message: 'The request body is not valid JSON' }] });
    return;
  }
  answer(req, body).then(
    (response) => {
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status;
      res.end(response.body);
    },
    (error: unknown) =>
      send(res, 500, {
        errors: [{ message: error instanceof Error ? error.message : String(error) }],
      }),
  );
}

function compile(
  operation: Operation,
  catalog: Catalog,
  messageFields: readonly string[],
): CompiledOperation {
  const rules = operation.selection.map((field) => [field, ruleFor(field)] as const);
  const needs = projectionFor(operation.selection, messageFields);
  return {
    kind: operation.kind,
    projection: needs?.join(','),
    needs,
    shape(event) {
      const node: Record<string, unknown> = {};
      for (const [field, rule] of rules) node[field] = rule.value(event, catalog);
      return node;
    },
  };
}

/** OAuth client credentials (`POST /auth/oauth2/v2/token`), once: tokens live for 10 hours. */
async function fetchToken(upstream: Upstream, options: FloorOptions): Promise<string> {
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const { status, text } = await upstream.call(
    'POST',
    '/auth/oauth2/v2/token',
    { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    JSON.stringify({ grant_type: 'client_credentials' }),
  );
  const body = JSON.parse(text) as { access_token?: unknown };
  if (status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`POST /auth/oauth2/v2/token answered ${status}`);
  }
  return body.access_token;
}

/** OneLogin over keep-alive connections, as the gateway's transport reaches it (no time limits, no retries). */
class Upstream {
  private readonly agent = new http.Agent({
    keepAlive: true,
    maxSockets: 32,
    maxFreeSockets: 32,
    scheduling: 'lifo',
    timeout: 30_000,
  });
  private readonly origin: URL;

  constructor(origin: string) {
    this.origin = new URL(origin);
  }

  call(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        agent: this.agent,
        hostname: this.origin.hostname,
        port: this.origin.port,
        method,
        path,
        headers:
          body === undefined
            ? headers
            : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      req.on('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
