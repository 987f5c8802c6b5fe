/**
 * The graphql-cop port (test/helpers/graphqlCop.ts) detects what graphql-cop detects: run against
 * servers that are permissive on purpose, over real HTTP, it must report exactly the findings
 * graphql-cop's conditions give for them, no more and no fewer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  buildSchema,
  execute,
  MaxIntrospectionDepthRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { ExecutionResult, GraphQLError } from 'graphql';

import { GRAPHQL_COP_CHECKS, GraphqlCopError, runGraphqlCop } from '../helpers/graphqlCop';
import type { CopFinding } from '../helpers/graphqlCop';

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** [id, vulnerable] for every check, in graphql-cop's output order (sorted by title). */
function verdicts(findings: CopFinding[]): Array<[string, boolean]> {
  return findings.map((f) => [f.id, f.vulnerable]);
}

function finding(findings: CopFinding[], id: string): CopFinding {
  const found = findings.find((f) => f.id === id);
  if (!found) throw new Error(`no finding ${id}`);
  return found;
}

describe('graphql-cop port against a permissive Apollo Server 5', () => {
  let server: ApolloServer;
  let url: string;
  let findings: CopFinding[];

  beforeAll(async () => {
    server = new ApolloServer({
      typeDefs: `#graphql
        type Query { hello: String }
        type Mutation { setHello(value: String!): String }
      `,
      resolvers: {
        Query: { hello: () => 'world' },
        Mutation: { setHello: (_: unknown, args: { value: string }) => args.value },
      },
      introspection: true,
      allowBatchedHttpRequests: true,
      csrfPrevention: false,
      plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true })],
      logger: silentLogger,
    });
    ({ url } = await startStandaloneServer(server, { listen: { port: 0 } }));
    findings = await runGraphqlCop({ url: `${url}graphql` });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('reports exactly the checks graphql-cop would flag', () => {
    expect(verdicts(findings)).toEqual([
      ['alias_overloading', true],
      ['batch_query', true],
      // Ten "Unknown directive" errors for the ten @aa: graphql-cop's condition, len(errors) == 10.
      ['directive_overloading', true],
      ['field_duplication', true],
      ['field_suggestions', true],
      ['get_method_support', true], // csrfPrevention: false
      // Apollo's landing page carries none of graphql-cop's GraphiQL/Playground markers.
      ['detect_graphiql', false],
      ['introspection', true],
      // graphql-js 16.9+ rejects the query (MaxIntrospectionDepthRule); and had it run, the
      // schema's 12 types (Query, Mutation, String, Boolean, 8 introspection types) are not > 25.
      ['circular_query_introspection', false],
      ['get_based_mutation', false], // Apollo refuses a mutation over GET (405)
      ['post_based_csrf', false], // Apollo does not read a url-encoded body
      ['trace_mode', false],
      // Apollo 5 sends extensions.stacktrace; graphql-cop looks for extensions.exception.
      ['unhandled_error_detection', false],
    ]);
  });

  it("carries graphql-cop's titles and severities, and says what was sent", () => {
    expect(findings).toHaveLength(13);
    for (const info of GRAPHQL_COP_CHECKS) {
      const f = finding(findings, info.id);
      expect([f.title, f.severity]).toEqual([info.title, info.severity]);
    }
    expect(finding(findings, 'alias_overloading').detail).toContain('alias0:__typename');
    expect(finding(findings, 'alias_overloading').detail).toContain("data.alias100 = 'Query'");
    expect(finding(findings, 'batch_query').detail).toContain('len(response) = 10');
    expect(finding(findings, 'directive_overloading').detail).toContain('len(errors) = 10');
    expect(finding(findings, 'field_suggestions').detail).toContain('Did you mean');
    expect(finding(findings, 'get_based_mutation').detail).toContain(
      '?query=mutation+cop+%7B__typename%7D -> 405',
    );
    expect(finding(findings, 'post_based_csrf').detail).toContain(
      'query=query+cop+%7B+__typename+%7D -> 400',
    );
    expect(finding(findings, 'circular_query_introspection').detail).toContain(
      'Maximum introspection depth exceeded',
    );
  });
});

// -------------------------------------------------------------------------------------------
// A bare HTTP server, for what Apollo Server 5 never does.
// -------------------------------------------------------------------------------------------

interface FakeRequest {
  method: string;
  url: URL;
  contentType: string;
  accept: string;
  body: string;
}

interface FakeResponse {
  status?: number;
  json?: unknown;
  html?: string;
}

async function startFakeServer(
  handler: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        const reply = await handler({
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://localhost'),
          contentType: req.headers['content-type'] ?? '',
          accept: req.headers.accept ?? '',
          body,
        });
        const html = reply.html !== undefined;
        res.writeHead(reply.status ?? 200, {
          'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
        });
        res.end(html ? reply.html : JSON.stringify(reply.json));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Something like an old express-graphql/Apollo Server 2 setup with everything left on: GraphiQL
 * served on GET, any operation over GET, url-encoded POST bodies, batching, Apollo-2-style
 * `extensions.tracing` on every response and debug-mode `extensions.exception` on every error,
 * and a schema of more than 25 types. Real graphql-js execution.
 */
function legacyHandler(): (req: FakeRequest) => Promise<FakeResponse> {
  const objectTypes = Array.from({ length: 20 }, (_, i) => `type T${i} { id: ID, next: T${i} }`);
  const schema = buildSchema(`
    type Query { hello: String ${objectTypes.map((_, i) => `t${i}: T${i}`).join(' ')} }
    type Mutation { setHello(value: String!): String }
    ${objectTypes.join('\n')}
  `);
  // graphql-js before 16.9 had no MaxIntrospectionDepthRule.
  const rules = specifiedRules.filter((rule) => rule !== MaxIntrospectionDepthRule);
  const run = async (params: { query?: unknown; operationName?: unknown }) => {
    let result: ExecutionResult;
    try {
      const document = parse(typeof params.query === 'string' ? params.query : '');
      const errors = validate(schema, document, rules);
      result =
        errors.length > 0
          ? { errors }
          : await execute({
              schema,
              document,
              operationName: typeof params.operationName === 'string' ? params.operationName : null,
              rootValue: { hello: 'world' },
            });
    } catch (error) {
      result = { errors: [error as GraphQLError] };
    }
    return {
      ...(result.errors
        ? {
            errors: result.errors.map((e) => ({
              ...e.toJSON(),
              extensions: { code: 'INTERNAL', exception: { stacktrace: [`GraphQLError: ${e}`] } },
            })),
          }
        : {}),
      ...('data' in result ? { data: result.data } : {}),
      extensions: { tracing: { version: 1, execution: { resolvers: [] } } },
    };
  };
  return async (req) => {
    if (req.method === 'GET') {
      const query = req.url.searchParams.get('query');
      if (query === null && req.accept.includes('text/html')) {
        return {
          html: '<html><head><title>GraphiQL</title><link rel="stylesheet" href="https://unpkg.com/graphiql/graphiql.min.css" /></head><body></body></html>',
        };
      }
      return { json: await run({ query: query ?? '' }) };
    }
    if (req.contentType.startsWith('application/x-www-form-urlencoded')) {
      return { json: await run({ query: new URLSearchParams(req.body).get('query') }) };
    }
    const body: unknown = JSON.parse(req.body);
    if (Array.isArray(body)) return { json: await Promise.all(body.map(run)) };
    return { json: await run(body as { query?: unknown }) };
  };
}

describe('graphql-cop port against a legacy, everything-on server', () => {
  let server: { url: string; close(): Promise<void> };
  let findings: CopFinding[];

  beforeAll(async () => {
    server = await startFakeServer(legacyHandler());
    findings = await runGraphqlCop({ url: server.url });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('flags every check but trace_mode', () => {
    expect(verdicts(findings)).toEqual([
      ['alias_overloading', true],
      ['batch_query', true],
      ['directive_overloading', true],
      ['field_duplication', true],
      ['field_suggestions', true],
      ['get_method_support', true],
      ['detect_graphiql', true],
      ['introspection', true],
      ['circular_query_introspection', true], // 33 types
      ['get_based_mutation', true],
      ['post_based_csrf', true],
      // graphql-cop's quirk, kept: it reads errors[0].extensions.tracing, and a successful
      // `query cop { __typename }` has no errors, so top-level tracing goes unreported.
      ['trace_mode', false],
      ['unhandled_error_detection', true],
    ]);
    expect(finding(findings, 'circular_query_introspection').detail).toContain('len(types) = 33');
  });
});

describe("graphql-cop port keeps graphql-cop's exact conditions", () => {
  let handler: (req: FakeRequest) => FakeResponse = () => ({});
  let server: { url: string; close(): Promise<void> };

  /** The is_graphql probe gets a plain answer; `answer` decides the rest. */
  async function scan(answer: (req: FakeRequest) => FakeResponse | undefined) {
    handler = (req) =>
      (req.body.startsWith('{"query": "\\n    query cop {') ? undefined : answer(req)) ?? {
        json: { data: { __typename: 'Query' } },
      };
    const findings = await runGraphqlCop({ url: server.url });
    return (id: string) => finding(findings, id).vulnerable;
  }

  const isJsonProbe = (req: FakeRequest, query: string) =>
    req.method === 'POST' &&
    req.contentType === 'application/json' &&
    req.body === `{"query": "${query}", "operationName": "cop"}`;

  beforeAll(async () => {
    server = await startFakeServer((req) => handler(req));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('trace_mode and unhandled_error_detection read errors[0].extensions, then str(json)', async () => {
    const inErrors = await scan((req) =>
      isJsonProbe(req, 'query cop { __typename }')
        ? { json: { errors: [{ message: 'x', extensions: { tracing: { version: 1 } } }] } }
        : isJsonProbe(req, 'qwerty cop { abc }')
          ? { json: { errors: [{ message: 'x', extensions: { exception: { stacktrace: [] } } }] } }
          : undefined,
    );
    expect([inErrors('trace_mode'), inErrors('unhandled_error_detection')]).toEqual([true, true]);

    // A falsy value reaches the str() fallback, which matches when the key comes first...
    const firstKey = await scan((req) =>
      isJsonProbe(req, 'query cop { __typename }')
        ? { json: { errors: [{ message: 'x', extensions: { tracing: null } }] } }
        : undefined,
    );
    expect(firstKey('trace_mode')).toBe(true);
    // ...and not otherwise.
    const secondKey = await scan((req) =>
      isJsonProbe(req, 'query cop { __typename }')
        ? { json: { errors: [{ message: 'x', extensions: { code: 'X', tracing: null } }] } }
        : undefined,
    );
    expect(secondKey('trace_mode')).toBe(false);
  });

  it('directive_overloading wants exactly 10 errors', async () => {
    const errors = (n: number) =>
      Array.from({ length: n }, () => ({ message: 'Unknown directive' }));
    const probe = 'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }';
    const ten = await scan((req) =>
      isJsonProbe(req, probe) ? { json: { errors: errors(10) } } : undefined,
    );
    const eleven = await scan((req) =>
      isJsonProbe(req, probe) ? { json: { errors: errors(11) } } : undefined,
    );
    expect([ten('directive_overloading'), eleven('directive_overloading')]).toEqual([true, false]);
  });

  it('batch_query takes len() of whatever comes back', async () => {
    const batchProbe = (req: FakeRequest) => req.body.startsWith('[');
    const tenKeys = await scan((req) =>
      batchProbe(req)
        ? {
            status: 400,
            json: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])),
          }
        : undefined,
    );
    const nine = await scan((req) =>
      batchProbe(req) ? { json: Array.from({ length: 9 }, () => ({ data: {} })) } : undefined,
    );
    expect([tenKeys('batch_query'), nine('batch_query')]).toEqual([true, false]);
  });

  it('GET and url-encoded checks need a status below 400, as bool(response) does', async () => {
    const rejected = await scan((req) =>
      req.method === 'GET' || req.contentType.startsWith('application/x-www-form-urlencoded')
        ? { status: 400, json: { data: { __typename: 'Query' } } }
        : undefined,
    );
    expect([
      rejected('get_method_support'),
      rejected('get_based_mutation'),
      rejected('post_based_csrf'),
    ]).toEqual([false, false, false]);
  });

  it('throws where graphql-cop would not scan: no GraphQL detected', async () => {
    handler = () => ({ status: 404, html: '<h1>Not Found</h1>' });
    await expect(runGraphqlCop({ url: server.url })).rejects.toThrow(GraphqlCopError);
    handler = () => ({ json: { data: { __typename: 'Mutation' } } });
    await expect(runGraphqlCop({ url: server.url })).rejects.toThrow(/does not seem/);
  });
});
