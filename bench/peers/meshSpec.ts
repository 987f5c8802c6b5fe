/**
 * The OpenAPI document the `mesh` peer is composed from: OneLogin's own spec
 * (a copy of `shared/onelogin/openapi.yaml`, from onelogin/onelogin-go-sdk,
 * `api/openapi.yaml` at commit 76cf9e1, MIT licence, Copyright (c) 2010-2023
 * OneLogin, Inc., kept beside this file so that the bench needs nothing outside
 * the repository) with the fixes a Mesh user must make before it can page
 * through events at all, and nothing else. Each fix names where API.md
 * (shared/onelogin/API.md) says the spec and the live API disagree. The fixed
 * copy is written at bench time to bench/.out/peers/ (git-ignored); the
 * original is never edited.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parse, stringify } from 'yaml';

import { REPO_ROOT } from '../startChild';

/** OneLogin's spec: `ONELOGIN_OPENAPI`, else the copy beside this file. */
export function specPath(): string {
  const found = process.env['ONELOGIN_OPENAPI'] || path.join(REPO_ROOT, SPEC_COPY);
  if (!existsSync(found)) {
    throw new Error(
      `OneLogin's OpenAPI spec is not at ${found}: set ONELOGIN_OPENAPI, or --peers none`,
    );
  }
  return found;
}

/** The repository's copy of OneLogin's spec, as shared/onelogin/openapi.yaml has it. */
const SPEC_COPY = 'bench/peers/onelogin-openapi.yaml';

/** One fix, for the report and docs/BENCHMARKS.md. */
export interface SpecFix {
  what: string;
  source: string;
}

/** The five paging parameters API.md §3.1 lists and the spec omits (API.md §3.1, §12.7). */
const PAGING_PARAMETERS = [
  {
    name: 'limit',
    schema: { type: 'integer' },
    description: 'Events per page, at most 50 (API.md §3.1, S-GE).',
  },
  {
    name: 'sort',
    schema: { type: 'string' },
    description: '`+field` or `-field`, e.g. `-created_at` (API.md §3.1, S-GE).',
  },
  {
    name: 'fields',
    schema: { type: 'string' },
    description: 'Comma-separated fields to return; `id` always comes (API.md §3.1, S-GE, D-QP1).',
  },
  {
    name: 'after_cursor',
    schema: { type: 'string' },
    description: 'The next page: `pagination.after_cursor` of the previous one (API.md §3.2).',
  },
  {
    name: 'before_cursor',
    schema: { type: 'string' },
    description: 'The previous page: `pagination.before_cursor` (API.md §3.1, GIST).',
  },
];

export const SPEC_FIXES: readonly SpecFix[] = [
  ...PAGING_PARAMETERS.map((parameter) => ({
    what: `GET /api/1/events: add the query parameter \`${parameter.name}\` (${parameter.schema.type})`,
    source: 'API.md §3.1 (S-GE, D-QP1, GIST) and §12.7: the spec omits it',
  })),
  {
    what: 'schema `event`: property `app-name` renamed `app_name`',
    source: 'API.md §3.3 and §12.3 (D-EID sample, ISS-RB22): the API returns `app_name`',
  },
  {
    what: 'schema `event`: property `group-name` renamed `group_name`',
    source: 'API.md §3.3 and §12.3 (samples): the API returns `group_name`',
  },
  {
    what: 'schema `getEventById_200_response`: `data` is an array of `event`, not one `event`',
    source: 'API.md §5 and §12.7 (D-EID sample, RB, ND, NET): the API returns a one-element array',
  },
];

type Json = Record<string, unknown>;

/** OneLogin's spec with SPEC_FIXES applied, as YAML. */
export function fixedSpec(original: string): string {
  const spec = parse(original) as Json;
  const paths = spec['paths'] as Record<string, Record<string, Json>>;
  const list = paths['/api/1/events']?.['get'];
  if (!list) throw new Error('The spec has no GET /api/1/events');
  const parameters = (list['parameters'] as Json[] | undefined) ?? [];
  for (const parameter of PAGING_PARAMETERS) {
    if (parameters.some((existing) => existing['name'] === parameter.name)) {
      throw new Error(`GET /api/1/events already has ${parameter.name}: the fixes are stale`);
    }
    parameters.push({ in: 'query', required: false, style: 'form', explode: true, ...parameter });
  }
  list['parameters'] = parameters;

  const schemas = (spec['components'] as Json)['schemas'] as Record<string, Json>;
  const event = schemas['event'];
  const properties = event?.['properties'] as Json | undefined;
  if (!properties) throw new Error('The spec has no schema `event`');
  for (const [from, to] of [
    ['app-name', 'app_name'],
    ['group-name', 'group_name'],
  ] as const) {
    if (!(from in properties) || to in properties) {
      throw new Error(`schema event: expected ${from} and no ${to}: the fixes are stale`);
    }
    properties[to] = properties[from];
    delete properties[from];
  }
  // The examples are not read by Mesh; keep them consistent anyway.
  for (const example of [event?.['example'] as Json | undefined]) {
    if (!example) continue;
    example['app_name'] = example['app-name'];
    example['group_name'] = example['group-name'];
    delete example['app-name'];
    delete example['group-name'];
  }

  const byId = schemas['getEventById_200_response'];
  const byIdProperties = byId?.['properties'] as Json | undefined;
  const data = byIdProperties?.['data'] as Json | undefined;
  if (!byIdProperties || !data || data['type'] === 'array') {
    throw new Error('schema getEventById_200_response: expected `data` as one event');
  }
  byIdProperties['data'] = { type: 'array', items: data };
  delete byId?.['example'];
  return stringify(spec, { lineWidth: 0 });
}

/** Writes the fixed spec to `directory`; returns its path. */
export function writeFixedSpec(directory: string): string {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'onelogin-openapi.fixed.yaml');
  writeFileSync(file, fixedSpec(readFileSync(specPath(), 'utf8')));
  return file;
}

let eventFields: string[] | undefined;

/** The properties of the fixed spec's `event` schema: every event field mesh can be asked for. */
export function meshEventFields(): string[] {
  if (!eventFields) {
    const spec = parse(fixedSpec(readFileSync(specPath(), 'utf8'))) as Json;
    const schemas = (spec['components'] as Json)['schemas'] as Record<string, Json>;
    eventFields = Object.keys((schemas['event']?.['properties'] as Json | undefined) ?? {});
  }
  return eventFields;
}
