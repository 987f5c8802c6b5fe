/**
 * Schema-driven fuzzing of the real gateway over real HTTP, against the
 * OneLogin simulator: random operations built from the real schema (random
 * fields, arguments of random and often wrong types and values, variables,
 * aliases, fragments, directives, `_entities` with random representations,
 * random operationName and persisted-query extensions) and malformed HTTP
 * (bad JSON, wrong content types, random bytes, huge bodies, batches, wrong
 * methods, aborted uploads). Whatever a client sends, the gateway answers with
 * a coded GraphQL error and a 4xx, or with data: never INTERNAL_SERVER_ERROR,
 * never a 5xx, never an error-level log line, and it keeps answering.
 *
 * Reproducible: every operation is generated from (FUZZ_SEED, its index).
 * FUZZ_OPERATIONS=10000 for the full run (default 400 per engine);
 * FUZZ_REPORT=/path.json writes the figures of the run, FUZZ_DUMP=/path.jsonl
 * every request and its answer.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
} from 'graphql';
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  GraphQLNonNull,
} from 'graphql';

import { buildSchema } from '../../src/server/createApolloServer';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';

const OPERATIONS = positiveInteger(process.env['FUZZ_OPERATIONS'], 400);
const SEED = positiveInteger(process.env['FUZZ_SEED'], 20240501);
const REPORT = process.env['FUZZ_REPORT'];
const DUMP = process.env['FUZZ_DUMP'];
const CONCURRENCY = 8;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What a request's values are known to provoke, for the dump. Dates at year
 * 0000 or 9999 used to reach OneLogin and come back UPSTREAM_REJECTED; the
 * gateway now refuses them (and any date whose widened form leaves OneLogin's
 * range) with BAD_USER_INPUT before any call (src/domain/oneLoginInstant.ts),
 * so every UPSTREAM_REJECTED fails the run.
 */
type Tag = 'events-date-at-year-0000-or-9999' | 'failedProvisionings-date-at-year-0000-or-9999';

// ---------------------------------------------------------------- randomness

/** mulberry32: small, fast, good enough, and the same everywhere. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }
  subset<T>(values: readonly T[], max: number): T[] {
    const copy = [...values];
    const out: T[] = [];
    const count = 1 + this.int(Math.min(max, copy.length));
    while (out.length < count && copy.length > 0)
      out.push(copy.splice(this.int(copy.length), 1)[0] as T);
    return out;
  }
  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }
}

// ------------------------------------------------------------------ values

const JUNK: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e300,
  2 ** 31,
  '',
  'x',
  'null',
  '💥',
  '\u0000',
  'a\nb',
  'x'.repeat(300),
  '2024-05-01T00:00:00Z',
  {},
  { a: 1 },
  [],
  [1, 'x'],
  { __typename: 'Event', id: '1' },
];

/**
 * Values of a type: `valid` ones the gateway accepts, `edge` ones GraphQL
 * accepts but the gateway's checks (or OneLogin) should refuse, `bad` ones
 * GraphQL refuses.
 */
interface Pool {
  valid: readonly unknown[];
  edge: readonly unknown[];
  bad: readonly unknown[];
}
const INTS: Pool = {
  valid: [0, 1, 2, 5, 20, 50],
  edge: [-1, 101, 501, 2147483647],
  bad: [2 ** 31, 1.5, '5', true],
};
const NON_NEGATIVE_INTS: Pool = { valid: [0, 1, 5], edge: [], bad: [-1, 1.5, 'x'] };
const IDS: Pool = {
  valid: ['1', '5', '6', '42', '300', 7, ' 12 ', '007'],
  edge: ['2147483647', '0', '-5', 'abc', '', '2147483648', '99999999999', '1e3', '0x10'],
  bad: [1.5, true, [], {}],
};
const STRINGS: Pool = {
  valid: ['x', 'abc', '%user%', '<script>', '"; DROP TABLE', '💥', 'a&b=c'],
  edge: [
    '',
    ' ',
    'a\nb',
    '\u0000',
    '\u007f',
    'y'.repeat(1001),
    'not-a-cursor',
    'eyJ2IjoxfQ',
    '\ud800',
  ],
  bad: [5, true, {}],
};
const BOOLEANS: Pool = { valid: [true, false], edge: [], bad: ['true', 1] };
const IPS: Pool = {
  valid: ['203.0.113.7', '2001:db8::1', '10.0.0.1'],
  edge: ['999.1.1.1', '1.2.3.4/24', '01.2.3.4', 'fe80::1%eth0', 'x', ''],
  bad: [7, true],
};
const YEAR_0000_OR_9999 = [
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:30:00+01:00',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:30:00-01:00',
];

interface Generation {
  random: Random;
  tags: Set<Tag>;
  /**
   * A clean operation is well formed, with values GraphQL accepts, so that it
   * executes and reaches the domain checks, the resolvers and OneLogin; a
   * sloppy one makes every kind of mistake.
   */
  clean: boolean;
  /** The field whose arguments are being generated. */
  field?: string;
}

/** A mistake, `probability` of the time in a sloppy operation, never in a clean one. */
const mistake = (g: Generation, probability: number) => !g.clean && g.random.chance(probability);

function pick(g: Generation, pool: Pool): unknown {
  const roll = g.random.next();
  if (roll < (g.clean ? 0.02 : 0.3)) return g.random.pick(pool.bad);
  if (roll < (g.clean ? 0.2 : 0.6) && pool.edge.length > 0) return g.random.pick(pool.edge);
  return g.random.pick(pool.valid);
}

function dateTime(g: Generation): unknown {
  const { random } = g;
  if (random.chance(g.clean ? 0.02 : 0.3)) {
    return random.pick([
      'yesterday',
      '2024-13-45',
      '2024-02-30T00:00:00Z',
      '2024-05-01T25:00:00Z',
      '',
      5,
      true,
      {},
    ]);
  }
  switch (random.int(10)) {
    case 0:
      g.tags.add(
        g.field === 'failedProvisionings'
          ? 'failedProvisionings-date-at-year-0000-or-9999'
          : 'events-date-at-year-0000-or-9999',
      );
      return random.pick(YEAR_0000_OR_9999);
    case 1:
      return random.pick([
        '2024-05-01T12:00:00+02:00',
        '2024-05-01T00:00:00.123456Z',
        '2100-01-01T00:00:00Z',
        '1970-01-01T00:00:00Z',
      ]);
    default:
      // Inside the simulator's 30 days before TEST_NOW (and a little beyond), so that filters find events.
      return new Date(TEST_NOW - random.int(35 * 24) * 3_600_000).toISOString();
  }
}

function representation(g: Generation): unknown {
  const { random } = g;
  if (g.clean && random.chance(0.7)) {
    return { __typename: random.pick(['Event', 'EventType', 'User']), id: pick(g, IDS) };
  }
  if (random.chance(0.1)) return random.pick(JUNK);
  const value: Record<string, unknown> = {};
  const typename = random.pick<unknown>([
    'Event',
    'EventType',
    'User',
    'Query',
    'Mutation',
    'EventConnection',
    '_Entity',
    'Nope',
    '',
    5,
    null,
    undefined,
  ]);
  if (typename !== undefined) value['__typename'] = typename;
  const id = random.chance(0.8)
    ? pick(g, IDS)
    : random.pick<unknown>([['1'], null, 2147483648, -3, undefined]);
  if (id !== undefined) value['id'] = id;
  if (random.chance(0.2)) value['extra'] = random.pick(JUNK);
  return value;
}

/** A value for an input type: often right, often wrong. */
function inputValue(g: Generation, type: GraphQLInputType, depth = 0): unknown {
  const { random } = g;
  if (mistake(g, 0.08) || depth > 4) return random.pick(JUNK);
  if (isNonNullType(type)) return mistake(g, 0.05) ? null : inputValue(g, type.ofType, depth);
  if (random.chance(0.05)) return null;
  if (isListType(type)) {
    if (random.chance(0.1)) return inputValue(g, type.ofType, depth + 1); // coerced to a list of one
    return Array.from({ length: random.int(4) }, () => inputValue(g, type.ofType, depth + 1));
  }
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) ? !mistake(g, 0.1) : random.chance(0.4)) {
        value[field.name] = inputValue(g, field.type, depth + 1);
      }
    }
    if (mistake(g, 0.05)) value['nope'] = 1;
    return value;
  }
  if (isEnumType(type)) {
    return mistake(g, 0.15) ? random.pick(['NOPE', 'asc', 1]) : random.pick(type.getValues()).name;
  }
  switch (type.name) {
    case 'Int':
      return pick(g, INTS);
    case 'NonNegativeInt':
      return pick(g, NON_NEGATIVE_INTS);
    case 'ID':
      return pick(g, IDS);
    case 'String':
      return pick(g, STRINGS);
    case 'Boolean':
      return pick(g, BOOLEANS);
    case 'DateTime':
      return dateTime(g);
    case 'IP':
      return pick(g, IPS);
    case '_Any':
      return representation(g);
    default:
      return random.pick(JUNK);
  }
}

/** `value` as a GraphQL literal of `type` (enum values bare, strings quoted). */
function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const named = type ? getNamedType(type) : undefined;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const item = type && isNonNullType(type) ? type.ofType : type;
    return `[${value.map((v) => literal(v, item && isListType(item) ? item.ofType : undefined)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value)
      .filter(([key]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(key))
      .map(([key, v]) => `${key}: ${literal(v, fields[key]?.type)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'string') {
    return named && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)
      ? value
      : JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return String(value);
}

// ------------------------------------------------------------- operations

class OperationBuilder {
  private readonly variableDefinitions: string[] = [];
  readonly variables: Record<string, unknown> = {};
  private readonly fragments: string[] = [];
  private count = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly g: Generation,
  ) {}

  build(kind: 'query' | 'mutation' | 'subscription', name: string | undefined): string {
    const root =
      kind === 'mutation' && this.schema.getMutationType()
        ? (this.schema.getMutationType() as GraphQLObjectType)
        : (this.schema.getQueryType() as GraphQLObjectType);
    const selection = this.selectionSet(root, 0);
    const variables = this.variableDefinitions.length
      ? `(${this.variableDefinitions.join(', ')})`
      : '';
    const shorthand = kind === 'query' && !name && !variables && this.g.random.chance(0.5);
    const head = shorthand ? '' : `${kind}${name ? ` ${name}` : ''}${variables} `;
    return [`${head}${selection}`, ...this.fragments].join('\n');
  }

  private selectionSet(type: GraphQLNamedType, depth: number): string {
    const { random } = this.g;
    const parts: string[] = [];
    if (isUnionType(type) || isInterfaceType(type)) {
      const members = isUnionType(type) ? type.getTypes() : this.schema.getPossibleTypes(type);
      if (random.chance(0.5)) parts.push('__typename');
      for (const member of random.subset(members, 3)) {
        parts.push(`... on ${member.name} ${this.selectionSet(member, depth + 1)}`);
      }
      if (mistake(this.g, 0.05)) parts.push('... on Query { __typename }');
      return `{ ${parts.join(' ')} }`;
    }
    if (!isObjectType(type)) return '{ __typename }';
    const fields = Object.values(type.getFields());
    const tooDeep = depth >= 3;
    const chosen = random.subset(
      tooDeep ? fields.filter((field) => isLeafType(getNamedType(field.type))) : fields,
      depth === 0 ? 3 : 5,
    );
    for (const field of chosen) parts.push(this.field(field, depth));
    if (random.chance(0.2)) parts.push('__typename');
    if (mistake(this.g, 0.04)) parts.push(random.pick(['nope', 'id { x }']));
    if (depth === 0 && random.chance(0.02)) parts.push('__schema { queryType { name } }');
    if (random.chance(0.1)) parts.push(`... on ${type.name} { __typename }`);
    if (random.chance(0.05)) {
      const name = `F${this.count++}`;
      this.fragments.push(`fragment ${name} on ${type.name} ${this.selectionSet(type, depth + 1)}`);
      parts.push(`...${name}`);
    }
    if (mistake(this.g, 0.02)) parts.push('...Undefined');
    if (parts.length === 0) parts.push('__typename');
    return `{ ${parts.join(' ')} }`;
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const { random } = this.g;
    const alias = random.chance(0.2)
      ? `${random.pick(['a', 'b', 'id', 'x'])}${random.int(3)}: `
      : '';
    this.g.field = field.name;
    const args = field.args.flatMap((arg) => this.argument(arg));
    if (mistake(this.g, 0.03)) args.push(`nope: ${literal(random.pick(JUNK), undefined)}`);
    const directive = random.chance(0.05) ? ` ${this.directive()}` : '';
    const named = getNamedType(field.type);
    let selection = '';
    if (isCompositeType(named)) {
      if (!mistake(this.g, 0.03)) selection = ` ${this.selectionSet(named, depth + 1)}`;
    } else if (mistake(this.g, 0.02)) {
      selection = ' { id }';
    }
    return `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}${directive}${selection}`;
  }

  private argument(arg: GraphQLArgument): string[] {
    const { random } = this.g;
    const required = isNonNullType(arg.type);
    if (!(required ? !mistake(this.g, 0.07) : random.chance(this.g.clean ? 0.25 : 0.45))) return [];
    const value = inputValue(this.g, arg.type);
    if (random.chance(0.45)) return [`${arg.name}: ${this.variable(arg.type, value)}`];
    return [`${arg.name}: ${literal(value, arg.type)}`];
  }

  private variable(type: GraphQLInputType, value: unknown): string {
    const { random } = this.g;
    const name = `v${this.count++}`;
    if (mistake(this.g, 0.03)) return `$${name}`; // undeclared
    const declared = mistake(this.g, 0.08)
      ? random.pick(['String', 'Int!', '[ID]', 'Nope', 'EventFilter'])
      : String(type);
    const defaultValue = random.chance(0.05) ? ` = ${literal(inputValue(this.g, type), type)}` : '';
    this.variableDefinitions.push(`$${name}: ${declared}${defaultValue}`);
    // Left out: null for a nullable variable, an error for a required one.
    if (isNonNullType(type) ? !mistake(this.g, 0.07) : !random.chance(0.07)) {
      this.variables[name] = value;
    }
    return `$${name}`;
  }

  private directive(): string {
    const { random } = this.g;
    const which = mistake(this.g, 0.3)
      ? random.pick(['deprecated', 'nope'])
      : random.pick(['skip', 'include']);
    const boolean = this.schema.getType('Boolean') as GraphQLInputType;
    const condition = random.chance(0.3)
      ? this.variable(new GraphQLNonNull(boolean), pick(this.g, BOOLEANS))
      : literal(pick(this.g, BOOLEANS), boolean);
    return `@${which}(if: ${condition})`;
  }
}

// --------------------------------------------------------------- requests

interface FuzzRequest {
  description: string;
  method: string;
  search?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Send part of the body, then reset the connection. */
  abort?: boolean;
  tags: Set<Tag>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function graphQLBody(schema: GraphQLSchema, g: Generation): Record<string, unknown> {
  const { random } = g;
  const kind = mistake(g, 0.1)
    ? 'subscription'
    : random.pick(['query', 'query', 'query', 'query', 'mutation'] as const);
  const builder = new OperationBuilder(schema, g);
  const name = random.chance(0.5) ? random.pick(['A', 'Q', 'Fuzz']) : undefined;
  let query = builder.build(kind, name);
  const body: Record<string, unknown> = { query };
  if (Object.keys(builder.variables).length > 0 || random.chance(0.05)) {
    body['variables'] = mistake(g, 0.03) ? random.pick(JUNK) : builder.variables;
  }
  if (mistake(g, 0.1)) {
    // A second operation in the same document.
    const other = new OperationBuilder(schema, g).build('query', random.pick(['B', 'A', 'Fuzz']));
    query = `${query}\n${other}`;
    body['query'] = query;
  }
  if (mistake(g, 0.3)) {
    body['operationName'] = random.pick<unknown>(['A', 'B', 'Q', 'Fuzz', 'Nope', '', null, 5]);
  } else if (name && random.chance(0.5)) {
    body['operationName'] = name;
  }
  if (random.chance(0.1)) {
    const persistedQuery = g.clean
      ? { version: 1, sha256Hash: sha256(query) }
      : random.pick<unknown>([
          { version: 1, sha256Hash: sha256(query) },
          { version: 1, sha256Hash: sha256(`${query} `) },
          { version: 1, sha256Hash: 'abc' },
          { version: 2, sha256Hash: sha256(query) },
          { version: '1', sha256Hash: sha256(query) },
          { version: 1 },
          'yes',
          null,
        ]);
    body['extensions'] = { persistedQuery };
    if (random.chance(0.3)) delete body['query'];
  }
  if (mistake(g, 0.02)) body['extensions'] = random.pick(JUNK);
  return body;
}

function entitiesBody(g: Generation): Record<string, unknown> {
  const { random } = g;
  const representations = Array.from({ length: random.int(5) }, () => representation(g));
  if (random.chance(0.5)) {
    return {
      query: `query ($r: [_Any!]!) { e: _entities(representations: $r) { __typename ... on Event { id eventTypeId } ... on EventType { id name } ... on User { id } } }`,
      variables: { r: random.chance(0.05) ? random.pick(JUNK) : representations },
    };
  }
  return {
    query: `{ _entities(representations: ${literal(representations, undefined)}) { __typename ... on EventType { name } } }`,
  };
}

function fuzzRequest(schema: GraphQLSchema, index: number): FuzzRequest {
  const random = new Random(Math.imul(SEED, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  const g: Generation = { random, tags: new Set(), clean: random.chance(0.5) };
  const json = { 'content-type': 'application/json' };
  const post = (
    description: string,
    body: unknown,
    headers: Record<string, string> = json,
  ): FuzzRequest => ({
    description,
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    tags: g.tags,
  });
  const roll = random.next();
  if (roll < 0.62) return post('operation', graphQLBody(schema, g));
  if (roll < 0.74) return post('_entities', entitiesBody(g));
  if (roll < 0.8) {
    const body = graphQLBody(schema, g);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
      params.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    if (random.chance(0.1)) params.set(random.pick(['variables', 'extensions']), '{nope');
    return {
      description: 'GET operation',
      method: 'GET',
      search: `?${params.toString()}`,
      headers: random.chance(0.9) ? { 'apollo-require-preflight': 'true' } : {},
      tags: g.tags,
    };
  }
  const valid = JSON.stringify(graphQLBody(schema, g));
  switch (random.int(11)) {
    case 0:
      return post('truncated JSON', valid.slice(0, random.int(valid.length)));
    case 1:
      return post('random bytes', random.bytes(random.int(300)), random.chance(0.5) ? json : {});
    case 2:
      return post('wrong content type', valid, {
        'content-type': random.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/graphql',
          'application/json; charset=utf-16',
          'APPLICATION/JSON',
          'application/graphql-response+json',
          'application/json;;;',
          'image/png',
        ]),
      });
    case 3: {
      const size = random.chance(0.5)
        ? MAX_BODY_BYTES + 1 + random.int(100_000)
        : MAX_BODY_BYTES - 200;
      return post(
        'huge body',
        JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(size) }),
      );
    }
    case 4:
      return post(
        'batch',
        Array.from({ length: random.int(4) }, () => graphQLBody(schema, g)),
      );
    case 5:
      return post(
        'not a request object',
        random.pick([
          'null',
          '5',
          '"{ __typename }"',
          'true',
          '{}',
          '{"variables":{}}',
          '{"operationName":"A"}',
          '{"query":""}',
          '{"query":null}',
        ]),
      );
    case 6:
      return {
        description: 'GET mutation',
        method: 'GET',
        search: `?query=${encodeURIComponent('mutation { createEvent(input: { eventTypeId: "5" }) { event { eventTypeId } } }')}`,
        headers: { 'apollo-require-preflight': 'true' },
        tags: g.tags,
      };
    case 7:
      return {
        description: 'other method',
        method: random.pick(['PUT', 'DELETE', 'PATCH']),
        headers: json,
        body: valid,
        tags: g.tags,
      };
    case 8:
      return {
        description: 'GET junk',
        method: 'GET',
        search: random.pick([
          '',
          '?',
          '?query=',
          '?query=%E0%A4%A',
          `?query=${'{'.repeat(5000)}`,
          `?x=${'y'.repeat(20_000)}`,
          '?query={__typename}&variables=[]',
        ]),
        headers: { 'apollo-require-preflight': 'true' },
        tags: g.tags,
      };
    case 9:
      return post(
        'deeply nested JSON',
        `{"query":"{ __typename }","variables":{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`,
      );
    default:
      return { ...post('aborted upload', valid), abort: true };
  }
}

// ------------------------------------------------------------------ running

interface Outcome {
  status: number | 'aborted';
  codes: string[];
  body: unknown;
}

async function send(gateway: TestGateway, request: FuzzRequest): Promise<Outcome> {
  if (request.abort) {
    await abortedUpload(gateway.gateway.port, request.body as string);
    return { status: 'aborted', codes: [], body: undefined };
  }
  const response = await fetch(gateway.url + (request.search ?? ''), {
    method: request.method,
    headers: request.headers,
    body: request.body as BodyInit | undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (e.g. Node's own 431): the status says it all.
  }
  const errors = (body as { errors?: Array<{ extensions?: { code?: unknown } }> } | null)?.errors;
  const codes = Array.isArray(errors)
    ? [...new Set(errors.map((error) => String(error.extensions?.code ?? '<no code>')))]
    : [];
  return { status: response.status, codes, body };
}

/** Sends the headers and part of a body, then resets the connection. */
function abortedUpload(port: number, body: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 100}\r\n\r\n${body.slice(0, Math.floor(body.length / 2))}`,
      );
      setTimeout(() => socket.resetAndDestroy(), 5);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

interface Figures {
  engine: string;
  seed: number;
  operations: number;
  durationMs: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  byKind: Record<string, number>;
  internalServerErrors: number;
  status5xx: number;
  uncodedErrors: number;
  upstreamRejected: number;
  errorLogLines: number;
}

const increment = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

const reports: Figures[] = [];

describe.each([
  ['graphql-jit', 'true'],
  ['graphql-js', 'false'],
])(
  'fuzzing the gateway (%s): whatever a client sends, it answers a coded 4xx or data, never a 5xx or INTERNAL_SERVER_ERROR',
  (engine, jit) => {
    let gateway: TestGateway;
    const schema = buildSchema();

    beforeAll(async () => {
      gateway = await startTestGateway({
        env: { GRAPHQL_JIT: jit, EVENTS_MAX_PAGE_SIZE: '100' },
        simulatorOptions: { eventCount: 500, rateLimitPerHour: 1_000_000_000 },
      });
    });
    afterAll(async () => {
      await gateway?.stop();
      if (REPORT && reports.length === 2) writeFileSync(REPORT, JSON.stringify(reports, null, 2));
    });

    it(
      `answers ${OPERATIONS} random operations and malformed requests (seed ${SEED})`,
      async () => {
        const started = Date.now();
        const figures: Figures = {
          engine,
          seed: SEED,
          operations: OPERATIONS,
          durationMs: 0,
          byStatus: {},
          byCode: {},
          byKind: {},
          internalServerErrors: 0,
          status5xx: 0,
          uncodedErrors: 0,
          upstreamRejected: 0,
          errorLogLines: 0,
        };
        const failures: string[] = [];
        const fail = (index: number, request: FuzzRequest, outcome: Outcome, why: string) => {
          if (failures.length >= 5) return;
          const sent =
            typeof request.body === 'string'
              ? request.body.slice(0, 600)
              : `<${request.body?.length ?? 0} bytes>`;
          failures.push(
            `#${index} (${why}, FUZZ_SEED=${SEED}) ${request.description}: ${request.method} ${(request.search ?? '').slice(0, 300)} ${sent}\n  -> ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 600)}`,
          );
        };

        let next = 0;
        const worker = async () => {
          for (let index = next++; index < OPERATIONS; index = next++) {
            const request = fuzzRequest(schema, index);
            const outcome = await send(gateway, request);
            if (DUMP) {
              const body =
                typeof request.body === 'string' ? request.body.slice(0, 2000) : undefined;
              appendFileSync(
                DUMP,
                `${JSON.stringify({ engine, index, request: { ...request, body, tags: [...request.tags] }, outcome })}\n`,
              );
            }
            increment(figures.byStatus, String(outcome.status));
            increment(figures.byKind, request.description);
            if (outcome.codes.length === 0)
              increment(figures.byCode, outcome.status === 'aborted' ? '<aborted>' : '<no errors>');
            for (const code of outcome.codes) increment(figures.byCode, code);
            if (typeof outcome.status === 'number' && outcome.status >= 500) {
              figures.status5xx += 1;
              fail(index, request, outcome, '5xx');
            }
            if (outcome.codes.includes('INTERNAL_SERVER_ERROR')) {
              figures.internalServerErrors += 1;
              fail(index, request, outcome, 'INTERNAL_SERVER_ERROR');
            }
            if (outcome.codes.includes('<no code>')) {
              figures.uncodedErrors += 1;
              fail(index, request, outcome, 'an error without extensions.code');
            }
            if (outcome.codes.includes('UPSTREAM_REJECTED')) {
              figures.upstreamRejected += 1;
              fail(
                index,
                request,
                outcome,
                'UPSTREAM_REJECTED: input OneLogin refuses got through',
              );
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        figures.durationMs = Date.now() - started;

        // Still answering, and healthy.
        const after = await gateway.execute<{ eventTypes: unknown[] }>('{ eventTypes { id } }');
        expect(after.errors).toBeUndefined();
        expect(after.data?.eventTypes.length).toBeGreaterThan(0);
        expect((await fetch(gateway.url.replace('/graphql', '/healthz'))).status).toBe(200);

        const errorLines = gateway.logs.filter(
          (line) => (JSON.parse(line) as { level: number }).level >= 50,
        );
        figures.errorLogLines = errorLines.length;
        reports.push(figures);

        expect({
          failures,
          internalServerErrors: figures.internalServerErrors,
          status5xx: figures.status5xx,
          uncodedErrors: figures.uncodedErrors,
          upstreamRejected: figures.upstreamRejected,
          errorLogLines: errorLines.slice(0, 3).map((line) => line.slice(0, 800)),
        }).toEqual({
          failures: [],
          internalServerErrors: 0,
          status5xx: 0,
          uncodedErrors: 0,
          upstreamRejected: 0,
          errorLogLines: [],
        });
        // The run exercised what it claims to: client mistakes and answers alike.
        expect(Object.keys(figures.byCode)).toEqual(
          expect.arrayContaining([
            '<no errors>',
            'BAD_USER_INPUT',
            'BAD_REQUEST',
            'GRAPHQL_VALIDATION_FAILED',
          ]),
        );
      },
      60_000 + OPERATIONS * 30,
    );
  },
);

function positiveInteger(raw: string | undefined, fallback: number): number {
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : fallback;
}
