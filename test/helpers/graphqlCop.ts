/**
 * A TypeScript port of graphql-cop's checks (https://github.com/dolevf/graphql-cop, by Dolev Farhi
 * and Nick Aleks), run over real HTTP with the global `fetch`.
 *
 * Ported from graphql-cop's own source: `graphql-cop.py`, `lib/utils.py` and `lib/tests/*.py`. The
 * set of checks is the 13 registered in `lib/tests/__init__.py` at upstream commit
 * 3cc2f723a916981a5504b5fde47cee564f1f81d2 (the same 13 `graphql-cop.py` runs at d19d2698…). Newer
 * upstream (lib/tests/__init__.py at 2b7e086e…) comments `field_duplication` out after issue #43
 * (https://github.com/dolevf/graphql-cop/issues/43), so a current graphql-cop runs 12 of these by
 * default; the check is kept here, with its id, so a caller can leave it out.
 *
 * The payloads, thresholds and detection conditions are graphql-cop's, including where they are
 * lenient or odd; those places are marked QUIRK. To keep the conditions exact, responses are
 * decoded the way Python's `json` decodes them and tested with Python's semantics (truthiness,
 * `len`, `in`, `str(dict)`), in the small interpreter at the bottom of this file.
 *
 * Where this port differs from running graphql-cop (all deliberate, none touch a condition):
 * - It scans exactly `options.url`. graphql-cop, given a URL whose path is empty or `/`, probes a
 *   list of common paths instead ('/graphiql', '/playground', '/console', '/graphql', and in newer
 *   versions '/').
 * - Its `is_graphql` pre-flight is ported, but where graphql-cop prints "does not seem to be running
 *   GraphQL" and skips the endpoint (unless -f), this port throws, so a test cannot pass by scanning
 *   nothing. Where graphql-cop would crash (an uncaught Python exception: no result at all), this
 *   port throws too.
 * - Debug mode (-d) is not ported: without it, graphql-cop's current tests send no
 *   `X-GraphQL-Cop-Test` header. (Older versions sent it on every request, unconditionally.)
 * - TLS is verified (graphql-cop passes verify=False), and the timeouts (60 s for `graph_query`,
 *   20 s for `request`) bound the whole request here, where `requests` applies them to the connect
 *   and to each read separately.
 * - Only what the tests read is mimicked from `requests`: the User-Agent, `Accept: *\/*`, the
 *   body bytes (Python's `json.dumps` and `urlencode` spelling), following redirects, and
 *   `bool(response)` being false for a 4xx/5xx. `fetch` decodes the body as UTF-8 where `requests`
 *   goes by the response's charset.
 */

export interface CopFinding {
  /** graphql-cop's own test name, the key in lib/tests/__init__.py (and what `-e` excludes). */
  id: string;
  title: string;
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';
  vulnerable: boolean;
  /** What was sent and what came back, short. */
  detail: string;
}

export type CopCheckId =
  | 'field_suggestions'
  | 'introspection'
  | 'detect_graphiql'
  | 'get_method_support'
  | 'alias_overloading'
  | 'batch_query'
  | 'field_duplication'
  | 'trace_mode'
  | 'directive_overloading'
  | 'circular_query_introspection'
  | 'get_based_mutation'
  | 'post_based_csrf'
  | 'unhandled_error_detection';

export interface CopCheckInfo {
  id: CopCheckId;
  title: string;
  description: string;
  /** graphql-cop appends ' - /' plus the URL's last path segment to this. */
  impact: string;
  severity: CopFinding['severity'];
  /** The graphql-cop file it is ported from. */
  source: string;
}

/**
 * The 13 checks, in the order graphql-cop runs them (its `tests` dict), with the title,
 * description, impact and severity of the `res` dict each graphql-cop test returns.
 */
export const GRAPHQL_COP_CHECKS: readonly CopCheckInfo[] = [
  {
    id: 'field_suggestions',
    title: 'Field Suggestions',
    description: 'Field Suggestions are Enabled',
    impact: 'Information Leakage',
    severity: 'LOW',
    source: 'lib/tests/info_field_suggestions.py',
  },
  {
    id: 'introspection',
    title: 'Introspection',
    description: 'Introspection Query Enabled',
    impact: 'Information Leakage',
    severity: 'HIGH',
    source: 'lib/tests/info_introspect.py',
  },
  {
    id: 'detect_graphiql',
    title: 'GraphQL IDE',
    description: 'GraphiQL Explorer/Playground Enabled',
    impact: 'Information Leakage',
    severity: 'LOW',
    source: 'lib/tests/info_graphiql.py',
  },
  {
    id: 'get_method_support',
    title: 'GET Method Query Support',
    description: 'GraphQL queries allowed using the GET method',
    impact: 'Possible Cross Site Request Forgery (CSRF)',
    severity: 'MEDIUM',
    source: 'lib/tests/info_get_method_support.py',
  },
  {
    id: 'alias_overloading',
    title: 'Alias Overloading',
    description: 'Alias Overloading with 100+ aliases is allowed',
    impact: 'Denial of Service',
    severity: 'HIGH',
    source: 'lib/tests/dos_alias_overloading.py',
  },
  {
    id: 'batch_query',
    title: 'Array-based Query Batching',
    description: 'Batch queries allowed with 10+ simultaneous queries',
    impact: 'Denial of Service',
    severity: 'HIGH',
    source: 'lib/tests/dos_batch.py',
  },
  {
    id: 'field_duplication',
    title: 'Field Duplication',
    description: 'Queries are allowed with 500 of the same repeated field',
    impact: 'Denial of Service',
    severity: 'HIGH',
    source: 'lib/tests/dos_field_duplication.py',
  },
  {
    id: 'trace_mode',
    title: 'Trace Mode',
    description: 'Tracing is Enabled',
    impact: 'Information Leakage',
    severity: 'INFO',
    source: 'lib/tests/info_trace_mode.py',
  },
  {
    id: 'directive_overloading',
    title: 'Directive Overloading',
    description: 'Multiple duplicated directives allowed in a query',
    impact: 'Denial of Service',
    severity: 'HIGH',
    source: 'lib/tests/dos_directive_overloading.py',
  },
  {
    id: 'circular_query_introspection',
    title: 'Introspection-based Circular Query',
    description: 'Circular-query using Introspection',
    impact: 'Denial of Service',
    severity: 'HIGH',
    source: 'lib/tests/dos_circular_introspection.py',
  },
  {
    id: 'get_based_mutation',
    title: 'Mutation is allowed over GET (possible CSRF)',
    description: 'GraphQL mutations allowed using the GET method',
    impact: 'Possible Cross Site Request Forgery',
    severity: 'MEDIUM',
    source: 'lib/tests/info_get_based_mutation.py',
  },
  {
    id: 'post_based_csrf',
    title: 'POST based url-encoded query (possible CSRF)',
    description: 'GraphQL accepts non-JSON queries over POST',
    impact: 'Possible Cross Site Request Forgery',
    severity: 'MEDIUM',
    source: 'lib/tests/info_post_based_csrf.py',
  },
  {
    id: 'unhandled_error_detection',
    title: 'Unhandled Errors Detection',
    description: 'Exception errors are not handled',
    impact: 'Information Leakage',
    severity: 'INFO',
    source: 'lib/tests/info_unhandled_error.py',
  },
];

/**
 * config.py: HEADERS = {'User-Agent': 'graphql-cop/{VERSION}'}. UNCONFIRMED: the stored version.py
 * is stale ('1.0'); 1.13 is the version seen in published graphql-cop output of the 13-check
 * releases. No check depends on it.
 */
export const GRAPHQL_COP_USER_AGENT = 'graphql-cop/1.13';

/** Thrown where graphql-cop itself would stop: no GraphQL detected, or an uncaught exception. */
export class GraphqlCopError extends Error {
  override name = 'GraphqlCopError';
}

export async function runGraphqlCop(options: {
  url: string;
  headers?: Record<string, string>;
}): Promise<CopFinding[]> {
  const ctx: Ctx = { url: options.url, headers: { ...options.headers } };

  if (!(await isGraphql(ctx))) {
    throw new GraphqlCopError(
      `${ctx.url} does not seem to be running GraphQL. (graphql-cop skips such an endpoint unless -f)`,
    );
  }

  // graphql-cop.py: `for test in tests: json_output.append(test(path, proxy, HEADERS, debug))`,
  // one after another, then `sorted(json_output, key=lambda d: d['title'])`.
  const findings: CopFinding[] = [];
  for (const info of GRAPHQL_COP_CHECKS) {
    const { vulnerable, detail } = await CHECKS[info.id](ctx);
    findings.push({ id: info.id, title: info.title, severity: info.severity, vulnerable, detail });
  }
  return findings.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// The checks. Each returns graphql-cop's `res['result']` as `vulnerable`.
// ---------------------------------------------------------------------------------------------

interface Ctx {
  url: string;
  headers: Record<string, string>;
}

interface CheckResult {
  vulnerable: boolean;
  detail: string;
}

const CHECKS: Record<CopCheckId, (ctx: Ctx) => Promise<CheckResult>> = {
  field_suggestions: fieldSuggestions,
  introspection,
  detect_graphiql: detectGraphiql,
  get_method_support: getMethodSupport,
  alias_overloading: aliasOverloading,
  batch_query: batchQuery,
  field_duplication: fieldDuplication,
  trace_mode: traceMode,
  directive_overloading: directiveOverloading,
  circular_query_introspection: circularQueryIntrospection,
  get_based_mutation: getBasedMutation,
  post_based_csrf: postBasedCsrf,
  unhandled_error_detection: unhandledErrorDetection,
};

/**
 * lib/tests/info_field_suggestions.py. POST (JSON) `query cop { __schema { directive } }`.
 * Vulnerable when `'Did you mean' in get_error(json)`, get_error being `json['errors'][0]['message']`
 * (or None, on any exception; `in None` then raises and the test is False).
 * QUIRK: only the first error's message is read, and the phrase is case-sensitive.
 */
async function fieldSuggestions(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(ctx, 'query cop { __schema { directive } }');
  const vulnerable = pyTry(() => pyIn('Did you mean', getError(exchange.json())));
  return result(
    vulnerable,
    exchange,
    () => `errors[0].message = ${show(getError(exchange.json()))}`,
  );
}

/**
 * lib/tests/info_introspect.py. POST (JSON) `query cop { __schema { types { name fields { name } } } }`.
 * Vulnerable when `json['data']['__schema']['types']` is truthy (a non-empty list).
 */
async function introspection(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(
    ctx,
    'query cop { __schema { types { name fields { name } } } }',
  );
  const types = (): PyValue => dig(exchange.json(), 'data', '__schema', 'types');
  return result(
    pyTry(() => truthy(types())),
    exchange,
    () => `len(types) = ${pyLen(types())}`,
  );
}

/**
 * lib/tests/info_graphiql.py. GET the URL itself (no query string) with `Accept: text/html`
 * (replacing any Accept header for this request only). Vulnerable when `response` is truthy (in
 * `requests`, status < 400) and the body contains one of 'graphiql.min.css', 'GraphQL Playground',
 * 'GraphiQL', 'graphql-playground' (case-sensitive).
 * QUIRK: these strings are the only evidence read; an IDE page that contains none of them (Apollo
 * Sandbox, Apollo Server's default landing page, for one) is not detected.
 * (Older versions, before the endpoint list moved to graphql-cop.py, GET-ed '/graphiql',
 * '/playground', '/console' and '/graphql' on the URL's host instead.)
 */
async function detectGraphiql(ctx: Ctx): Promise<CheckResult> {
  const heuristics = ['graphiql.min.css', 'GraphQL Playground', 'GraphiQL', 'graphql-playground'];
  const exchange = await requestOrCrash(ctx, { verb: 'GET', accept: 'text/html' });
  const found = heuristics.filter((word) => exchange.text.includes(word));
  return result(responseOk(exchange) && found.length > 0, exchange, () =>
    found.length > 0 ? `body contains ${found.map((w) => `'${w}'`).join(', ')}` : 'no IDE marker',
  );
}

/**
 * lib/tests/info_get_method_support.py. GET `?query=query+cop+%7B__typename%7D`.
 * Vulnerable when `response` is truthy (status < 400) and `json['data']['__typename']` is truthy.
 */
async function getMethodSupport(ctx: Ctx): Promise<CheckResult> {
  const exchange = await requestOrCrash(ctx, {
    verb: 'GET',
    params: { query: 'query cop {__typename}' },
  });
  return typenameResult(exchange, responseOk(exchange));
}

/**
 * lib/tests/dos_alias_overloading.py. POST (JSON) `query cop { alias0:__typename \n … alias100:__typename \n  }`
 * (101 aliases, `range(0, 101)`). Vulnerable when `json['data']['alias100']` is truthy.
 * QUIRK: only the last alias is read; the status code is not.
 */
async function aliasOverloading(ctx: Ctx): Promise<CheckResult> {
  let aliases = '';
  for (let i = 0; i < 101; i++) aliases += `alias${i}:__typename \n`;
  const exchange = await graphQueryOrCrash(ctx, 'query cop { ' + aliases + ' }');
  const alias100 = (): PyValue => dig(exchange.json(), 'data', 'alias100');
  return result(
    pyTry(() => truthy(alias100())),
    exchange,
    () => `data.alias100 = ${show(alias100())}`,
  );
}

/**
 * lib/tests/dos_batch.py. POST (JSON) an array of 10 × `{"query": "query cop { __typename }"}`
 * (`graph_query(..., batch=True)` in lib/utils.py: `for _ in range(10)`, no operationName).
 * Vulnerable when `len(json) >= 10`.
 * QUIRK: `len` of whatever came back: a JSON object with 10+ keys, or a JSON string of 10+
 * characters, counts too; what the array holds (results or errors) is not looked at.
 */
async function batchQuery(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(ctx, 'query cop { __typename }', { batch: true });
  const vulnerable = pyTry(() => pyLen(exchange.json()) >= 10);
  return result(vulnerable, exchange, () => `len(response) = ${pyLen(exchange.json())}`);
}

/**
 * lib/tests/dos_field_duplication.py. POST (JSON) `query cop { ` + `__typename \n` × 500 + `} `.
 * Vulnerable when `json['data']['__typename']` is truthy.
 * Commented out of the default run upstream since issue #43 (see the top of this file).
 */
async function fieldDuplication(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(
    ctx,
    'query cop { ' + '__typename \n'.repeat(500) + '} ',
  );
  return typenameResult(exchange, true);
}

/**
 * lib/tests/info_trace_mode.py. POST (JSON) `query cop { __typename }`. In one try block:
 *   if json['errors'][0]['extensions']['tracing']: True
 *   elif "'extensions': {'tracing':" in str(json).lower(): True
 * QUIRK: the elif only runs when the `if` did not raise, i.e. when errors[0].extensions has a
 * 'tracing' key whose value is falsy. So tracing reported where Apollo Server 2 put it, in the
 * top-level `extensions` of a successful response, is not detected (there is no 'errors' key, the
 * `if` raises KeyError, the test is False).
 * A transport failure is False here (curlify is inside the try).
 */
async function traceMode(ctx: Ctx): Promise<CheckResult> {
  return extensionsKeyCheck(ctx, 'query cop { __typename }', 'tracing');
}

/**
 * lib/tests/dos_directive_overloading.py. POST (JSON) `query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }`.
 * Vulnerable when `len(json['errors']) == 10`, exactly.
 * QUIRK: `@aa` is not a directive; the test reads ten errors (one "Unknown directive" per use) as
 * "the server processed every duplicate". A server that rejects the query with ten errors is
 * flagged; one that stops at the first error, or also reports something else (11), is not.
 */
async function directiveOverloading(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(
    ctx,
    'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }',
  );
  const errors = (): PyValue => dig(exchange.json(), 'errors');
  const vulnerable = pyTry(() => pyLen(errors()) === 10);
  return result(vulnerable, exchange, () => `len(errors) = ${pyLen(errors())}`);
}

/**
 * lib/tests/dos_circular_introspection.py. POST (JSON)
 * `query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }`.
 * Vulnerable when `len(json['data']['__schema']['types']) > 25`.
 * QUIRK: the threshold counts the schema's types (the 8 introspection types and the built-in
 * scalars in use included), not depth; a schema of 25 types or fewer is never flagged, however deep the server lets the query go.
 * (graphql-js 16.9+ rejects this query outright, "Maximum introspection depth exceeded", by its
 * MaxIntrospectionDepthRule, so a server on it is not flagged whatever its size.)
 */
async function circularQueryIntrospection(ctx: Ctx): Promise<CheckResult> {
  const exchange = await graphQueryOrCrash(
    ctx,
    'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }',
  );
  const types = (): PyValue => dig(exchange.json(), 'data', '__schema', 'types');
  const vulnerable = pyTry(() => pyLen(types()) > 25);
  return result(vulnerable, exchange, () => `len(types) = ${pyLen(types())}`);
}

/**
 * lib/tests/info_get_based_mutation.py. GET `?query=mutation+cop+%7B__typename%7D`.
 * Vulnerable when `response` is truthy (status < 400) and `json['data']['__typename']` is truthy.
 * (`mutation cop {__typename}` only selects __typename: it writes nothing, but is a mutation
 * operation, which a server should refuse over GET.)
 */
async function getBasedMutation(ctx: Ctx): Promise<CheckResult> {
  const exchange = await requestOrCrash(ctx, {
    verb: 'GET',
    params: { query: 'mutation cop {__typename}' },
  });
  return typenameResult(exchange, responseOk(exchange));
}

/**
 * lib/tests/info_post_based_csrf.py. POST `query=query+cop+%7B+__typename+%7D` as
 * application/x-www-form-urlencoded (`requests`' `data={'query': q}`).
 * Vulnerable when `response` is truthy (status < 400) and `json['data']['__typename']` is truthy.
 * (The payload is 'query cop { __typename }' in current graphql-cop, as in its published output;
 * an earlier version stored upstream has 'query cop {__typename}'. Same condition either way.)
 */
async function postBasedCsrf(ctx: Ctx): Promise<CheckResult> {
  const exchange = await requestOrCrash(ctx, {
    verb: 'POST',
    data: { query: 'query cop { __typename }' },
  });
  return typenameResult(exchange, responseOk(exchange));
}

/**
 * lib/tests/info_unhandled_error.py. POST (JSON) `qwerty cop { abc }` (a syntax error). In one try:
 *   if json['errors'][0]['extensions']['exception']: True
 *   elif "'extensions': {'exception':" in str(json).lower(): True
 * QUIRK: as in trace_mode, the elif only runs when errors[0].extensions has an 'exception' key
 * with a falsy value. It looks for Apollo Server 2/3's `extensions.exception`; Apollo Server 4+
 * reports a stack trace as `extensions.stacktrace`, which this test does not look at.
 * A transport failure is False here (curlify is inside the try).
 */
async function unhandledErrorDetection(ctx: Ctx): Promise<CheckResult> {
  return extensionsKeyCheck(ctx, 'qwerty cop { abc }', 'exception');
}

async function extensionsKeyCheck(ctx: Ctx, query: string, key: string): Promise<CheckResult> {
  const exchange = await graphQuery(ctx, query);
  if (exchange === undefined) return { vulnerable: false, detail: `POST ${query} -> no response` };
  const first = (): PyValue => dig(exchange.json(), 'errors', 0, 'extensions', key);
  const vulnerable = pyTry(
    () =>
      truthy(first()) || pyRepr(exchange.json()).toLowerCase().includes(`'extensions': {'${key}':`),
  );
  return result(vulnerable, exchange, () => `errors[0].extensions.${key} = ${show(first())}`);
}

/** `response and response.json()['data']['__typename']`, the tail of three tests. */
function typenameResult(exchange: Exchange, ok: boolean): CheckResult {
  const typename = (): PyValue => dig(exchange.json(), 'data', '__typename');
  return result(ok && pyTry(() => truthy(typename())), exchange, () =>
    ok ? `data.__typename = ${show(typename())}` : 'status >= 400',
  );
}

/**
 * lib/utils.py `is_graphql`, run by graphql-cop.py before the tests. POST (JSON)
 * `\n    query cop {\n      __typename\n    }\n  `. Not caught there, so an exception in it
 * (a JSON array, say) crashes graphql-cop: here, a GraphqlCopError.
 */
async function isGraphql(ctx: Ctx): Promise<boolean> {
  const exchange = await graphQuery(ctx, '\n    query cop {\n      __typename\n    }\n  ');
  if (exchange === undefined) return false; // `{}.json()`: AttributeError, caught: False
  let json: PyValue;
  try {
    json = exchange.json();
  } catch {
    return false; // JSONDecodeError, caught: False
  }
  try {
    if (pyIn('data', json) && getItem(json, 'data') !== null) {
      const typename = getItem(getItem(json, 'data'), '__typename');
      // QUIRK: any other __typename returns None (falsy), without trying the branches below.
      return ['Query', 'QueryRoot', 'query_root', 'Root'].some((name) => typename === name);
    }
    const errors = pyDictGet(json, 'errors');
    if (
      truthy(errors) &&
      (pyIter(errors).some((e) => pyIn('locations', e)) ||
        // QUIRK: iterates the top-level keys, so this asks for a top-level key containing
        // 'extensions'; it does not look into the errors.
        pyIter(json).some((k) => pyIn('extensions', k)))
    ) {
      return true;
    }
    return truthy(pyDictGet(json, 'data'));
  } catch (error) {
    if (error instanceof PyException) {
      throw new GraphqlCopError(`graphql-cop's is_graphql would crash here: ${error.message}`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// lib/utils.py: graph_query and request, over fetch.
// ---------------------------------------------------------------------------------------------

interface Exchange {
  sent: string;
  status: number;
  text: string;
  /** `response.json()`: Python's json.loads of the body; raises PyException. */
  json(): PyValue;
}

/**
 * `graph_query(url, proxies, headers, operation='query', payload, batch=False)`: POST with
 * `json=` (so Content-Type: application/json unless a header sets one), timeout 60 s, following
 * redirects. The body is `{"query": payload, "operationName": "cop"}`, or with batch=True a list of
 * 10 × `{"query": payload}`. Any exception (connection refused, timeout) returns `{}`: undefined.
 */
async function graphQuery(
  ctx: Ctx,
  payload: string,
  options: { batch?: boolean } = {},
): Promise<Exchange | undefined> {
  const data: PyJson = options.batch
    ? Array.from({ length: 10 }, () => ({ query: payload }))
    : { query: payload, operationName: 'cop' };
  return send(ctx, {
    method: 'POST',
    url: ctx.url,
    body: pyJsonDumps(data),
    contentType: 'application/json',
    timeoutMs: 60_000,
  });
}

/**
 * `request(url, proxies, headers, params=None, data=None, verb='GET')`: `requests.request` with
 * `params=` (urlencoded into the query string) and `data=` (a form body, so Content-Type:
 * application/x-www-form-urlencoded unless a header sets one), timeout 20 s, following redirects.
 * A RequestException returns None: undefined.
 */
async function request(
  ctx: Ctx,
  options: {
    verb: 'GET' | 'POST';
    params?: Record<string, string>;
    data?: Record<string, string>;
    accept?: string;
  },
): Promise<Exchange | undefined> {
  let url = ctx.url;
  if (options.params) url += (url.includes('?') ? '&' : '?') + pyUrlencode(options.params);
  return send(ctx, {
    method: options.verb,
    url,
    timeoutMs: 20_000,
    ...(options.data
      ? { body: pyUrlencode(options.data), contentType: 'application/x-www-form-urlencoded' }
      : {}),
    ...(options.accept ? { accept: options.accept } : {}),
  });
}

/**
 * Most tests call `curlify(response)` outside their try block, and `curlify({})` or
 * `curlify(None)` raises AttributeError: graphql-cop crashes when a request fails. So do these.
 */
async function graphQueryOrCrash(ctx: Ctx, payload: string, options: { batch?: boolean } = {}) {
  return orCrash(await graphQuery(ctx, payload, options), ctx);
}

async function requestOrCrash(ctx: Ctx, options: Parameters<typeof request>[1]) {
  return orCrash(await request(ctx, options), ctx);
}

function orCrash(exchange: Exchange | undefined, ctx: Ctx): Exchange {
  if (exchange === undefined) {
    throw new GraphqlCopError(
      `no response from ${ctx.url}; graphql-cop would crash here (curlify of a failed request)`,
    );
  }
  return exchange;
}

async function send(
  ctx: Ctx,
  req: {
    method: string;
    url: string;
    body?: string;
    contentType?: string;
    accept?: string;
    timeoutMs: number;
  },
): Promise<Exchange | undefined> {
  // config.HEADERS, updated with the -H headers, over `requests`' session defaults.
  const headers = new Headers({ Accept: '*/*' });
  headers.set('User-Agent', GRAPHQL_COP_USER_AGENT);
  for (const [name, value] of Object.entries(ctx.headers)) headers.set(name, value);
  // `requests` only adds the body's Content-Type when the headers do not have one.
  if (req.contentType && !headers.has('Content-Type')) headers.set('Content-Type', req.contentType);
  // info_graphiql.py: headers["Accept"] = "text/html" for its one request.
  if (req.accept) headers.set('Accept', req.accept);

  const sent = `${req.method} ${req.url}${req.body === undefined ? '' : ` ${req.body}`}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(req.timeoutMs),
      ...(req.body === undefined ? {} : { body: req.body }),
    });
    text = await response.text();
  } catch {
    return undefined;
  }
  let parsed: { value: PyValue } | { error: PyException } | undefined;
  return {
    sent,
    status: response.status,
    text,
    json() {
      parsed ??= (() => {
        try {
          return { value: pyJsonLoads(text) };
        } catch (error) {
          if (error instanceof PyException) return { error };
          throw error;
        }
      })();
      if ('error' in parsed) throw parsed.error;
      return parsed.value;
    },
  };
}

/** `bool(response)` for a `requests.Response` is `response.ok`: no 4xx or 5xx status. */
function responseOk(exchange: Exchange): boolean {
  return !(exchange.status >= 400 && exchange.status < 600);
}

function result(vulnerable: boolean, exchange: Exchange, observed: () => string): CheckResult {
  let what: string;
  try {
    what = observed();
  } catch (error) {
    if (!(error instanceof PyException)) throw error;
    const message = pyTry(() => typeof getError(exchange.json()) === 'string')
      ? ` (errors[0].message = ${show(getError(exchange.json()))})`
      : '';
    what = `${error.message}${message}`;
  }
  return {
    vulnerable,
    detail: `${truncate(exchange.sent, 140)} -> ${exchange.status}: ${truncate(what, 160)}`,
  };
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\n/g, '\\n');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function show(value: PyValue): string {
  return truncate(pyRepr(value), 120);
}

function getError(json: PyValue): PyValue {
  // lib/utils.py get_error: resp['errors'][0]['message'], None on any exception.
  try {
    return dig(json, 'errors', 0, 'message');
  } catch {
    return null;
  }
}

/** Runs a Python condition inside graphql-cop's `try: ... except: pass`: an exception is False. */
function pyTry(condition: () => boolean): boolean {
  try {
    return condition();
  } catch (error) {
    if (error instanceof PyException) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Just enough Python: json.loads / json.dumps / urlencode, and the operations the tests apply
// to the decoded value. JSON objects are Maps (document order, as a Python dict), integers
// bigints and other numbers floats, so truthiness, len, `in` and str() come out as in Python.
// ---------------------------------------------------------------------------------------------

type PyValue = null | boolean | bigint | number | string | PyValue[] | PyDict;
type PyDict = Map<string, PyValue>;
type PyJson = string | PyJson[] | { [key: string]: PyJson };

class PyException extends Error {}

function isDict(value: PyValue): value is PyDict {
  return value instanceof Map;
}

function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

function truthy(value: PyValue): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'number') return value !== 0; // NaN is truthy in Python, and here
  if (typeof value === 'string') return value.length > 0;
  return Array.isArray(value) ? value.length > 0 : value.size > 0;
}

function pyLen(value: PyValue): number {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return value.size;
  throw new PyException(`TypeError: object of type '${pyTypeName(value)}' has no len()`);
}

/** `value[key]`. */
function getItem(value: PyValue, key: string | number): PyValue {
  if (isDict(value)) {
    if (typeof key === 'string' && value.has(key)) return value.get(key) as PyValue;
    throw new PyException(`KeyError: ${typeof key === 'string' ? pyRepr(key) : key}`);
  }
  if (Array.isArray(value) || typeof value === 'string') {
    if (typeof key !== 'number') {
      throw new PyException(`TypeError: ${pyTypeName(value)} indices must be integers`);
    }
    const items = typeof value === 'string' ? [...value] : value;
    const index = key < 0 ? items.length + key : key;
    if (index < 0 || index >= items.length) {
      throw new PyException(`IndexError: ${pyTypeName(value)} index out of range`);
    }
    return items[index] as PyValue;
  }
  throw new PyException(`TypeError: '${pyTypeName(value)}' object is not subscriptable`);
}

function dig(value: PyValue, ...keys: Array<string | number>): PyValue {
  return keys.reduce<PyValue>(getItem, value);
}

/** `needle in container`, for a str needle. */
function pyIn(needle: string, container: PyValue): boolean {
  if (typeof container === 'string') return container.includes(needle);
  if (Array.isArray(container)) return container.some((item) => item === needle);
  if (isDict(container)) return container.has(needle);
  throw new PyException(`TypeError: argument of type '${pyTypeName(container)}' is not iterable`);
}

/** `for item in value`. */
function pyIter(value: PyValue): PyValue[] {
  if (typeof value === 'string') return [...value];
  if (Array.isArray(value)) return value;
  if (isDict(value)) return [...value.keys()];
  throw new PyException(`TypeError: '${pyTypeName(value)}' object is not iterable`);
}

/** `value.get(key)`: only a dict has it. */
function pyDictGet(value: PyValue, key: string): PyValue {
  if (!isDict(value)) {
    throw new PyException(`AttributeError: '${pyTypeName(value)}' object has no attribute 'get'`);
  }
  return value.get(key) ?? null;
}

/** `str(value)`, which for these types is `repr(value)`. */
function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return pyFloatRepr(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${[...value].map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  // The shortest round-trip digits, which Python's repr also uses; only the layout differs.
  const [mantissa = '', exponentText = ''] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exp = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${sign}${mant}e${exp}`;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's json.loads (what `response.json()` runs), raising PyException as JSONDecodeError. */
function pyJsonLoads(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new PyException(`JSONDecodeError: ${what}: char ${i}`);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const number = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
  const constants: Array<[string, PyValue]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ];

  const parseString = (): string => {
    i++; // the opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('Unterminated string starting at');
      const ch = text[i] as string;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch < ' ') fail('Invalid control character at');
      if (ch !== '\\') {
        out += ch;
        i++;
        continue;
      }
      const esc = text[i + 1];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (esc !== undefined && esc in simple) {
        out += simple[esc];
        i += 2;
        continue;
      }
      if (esc !== 'u') fail('Invalid \\escape');
      const hex4 = (at: number): number | undefined => {
        const h = text.slice(at, at + 4);
        return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : undefined;
      };
      const unit = hex4(i + 2);
      if (unit === undefined) fail('Invalid \\uXXXX escape');
      i += 6;
      const low = text.startsWith('\\u', i) ? hex4(i + 2) : undefined;
      if (
        (unit as number) >= 0xd800 &&
        (unit as number) <= 0xdbff &&
        low !== undefined &&
        low >= 0xdc00 &&
        low <= 0xdfff
      ) {
        out += String.fromCharCode(unit as number, low);
        i += 6;
      } else {
        out += String.fromCharCode(unit as number);
      }
    }
  };

  const parseValue = (): PyValue => {
    const ch = text[i];
    if (ch === '"') return parseString();
    if (ch === '{') {
      i++;
      const dict: PyDict = new Map();
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return dict;
      }
      for (;;) {
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        const key = parseString();
        skipWhitespace();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i++;
        skipWhitespace();
        dict.set(key, parseValue()); // a repeated key keeps its first place and its last value
        skipWhitespace();
        if (text[i] === '}') {
          i++;
          return dict;
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        skipWhitespace();
      }
    }
    if (ch === '[') {
      i++;
      const list: PyValue[] = [];
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(parseValue());
        skipWhitespace();
        if (text[i] === ']') {
          i++;
          return list;
        }
        if (text[i] !== ',') fail("Expecting ',' delimiter");
        i++;
        skipWhitespace();
      }
    }
    number.lastIndex = i;
    const match = number.exec(text);
    if (match) {
      i = number.lastIndex;
      const [whole, integer = '', fraction, exponent] = match;
      return fraction !== undefined || exponent !== undefined ? Number(whole) : BigInt(integer);
    }
    for (const [word, value] of constants) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    return fail('Expecting value');
  };

  skipWhitespace();
  const value = parseValue();
  skipWhitespace();
  if (i !== text.length) fail('Extra data');
  return value;
}

/** Python's json.dumps with its defaults: ', ' and ': ' separators, ensure_ascii. */
function pyJsonDumps(value: PyJson): string {
  if (typeof value === 'string') {
    let out = '"';
    for (let k = 0; k < value.length; k++) {
      const ch = value[k] as string;
      const code = value.charCodeAt(k);
      const named: Record<string, string> = {
        '"': '\\"',
        '\\': '\\\\',
        '\n': '\\n',
        '\r': '\\r',
        '\t': '\\t',
        '\b': '\\b',
        '\f': '\\f',
      };
      if (named[ch] !== undefined) out += named[ch];
      else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += ch;
    }
    return `${out}"`;
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`)
    .join(', ')}}`;
}

/** urllib.parse.urlencode (quote_plus), as `requests` encodes `params=` and `data=`. */
function pyUrlencode(fields: Record<string, string>): string {
  const quotePlus = (s: string) =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  return Object.entries(fields)
    .map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`)
    .join('&');
}
