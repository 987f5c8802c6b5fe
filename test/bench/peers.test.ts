/**
 * The bench's peers (bench/peers/): the fixes Mesh's OpenAPI spec gets, their
 * operations, and the `--peers` flag. Their answers to every scenario are
 * checked against direct REST in the bench's smoke run (bench.test.ts).
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { parseBenchArgs } from '../../bench/parseBenchArgs';
import { parsePeers } from '../../bench/peers/peerIds';
import { fixedSpec, SPEC_FIXES, specPath } from '../../bench/peers/meshSpec';
import { peerOperation } from '../../bench/peers/peerOperations';
import { SCENARIOS } from '../../bench/scenarios';

type Json = Record<string, unknown>;

describe("Mesh's spec", () => {
  const original = readFileSync(specPath(), 'utf8');
  const fixed = parse(fixedSpec(original)) as Json;
  const paths = fixed['paths'] as Record<string, Record<string, Json>>;
  const schemas = (fixed['components'] as Json)['schemas'] as Record<string, Json>;

  it('gets the five paging parameters on GET /api/1/events', () => {
    const names = (paths['/api/1/events']?.['get']?.['parameters'] as Json[]).map(
      (parameter) => parameter['name'],
    );
    for (const name of ['limit', 'sort', 'fields', 'after_cursor', 'before_cursor']) {
      expect(names).toContain(name);
    }
    // The spec's own parameters stay.
    expect(names).toEqual(expect.arrayContaining(['event_type_id', 'since', 'until', 'user_id']));
  });

  it("spells app_name and group_name as the API does, and Get Event by ID's data as an array", () => {
    const properties = schemas['event']?.['properties'] as Json;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['app_name', 'group_name']));
    expect(properties).not.toHaveProperty('app-name');
    expect(properties).not.toHaveProperty('group-name');
    const data = (schemas['getEventById_200_response']?.['properties'] as Json)['data'] as Json;
    expect(data).toEqual({ type: 'array', items: { $ref: '#/components/schemas/event' } });
  });

  it('changes nothing else, and names a source in API.md for each fix', () => {
    const before = parse(original) as Json;
    expect(Object.keys(paths)).toEqual(Object.keys(before['paths'] as Json));
    expect(SPEC_FIXES).toHaveLength(8);
    for (const fix of SPEC_FIXES) expect(fix.source).toMatch(/^API\.md §/);
  });
});

describe('the peers’ operations', () => {
  it('walk 1,000 events in 20 pages of 50 through mesh and 10 of 100 through apollo-rest', () => {
    const walk = SCENARIOS.find((scenario) => scenario.id === 'walk1000');
    if (!walk) throw new Error('no walk1000');
    expect(peerOperation('mesh', walk)).toMatchObject({ perRequest: 50, steps: 20 });
    expect(peerOperation('apollo-rest', walk)).toMatchObject({ perRequest: 100, steps: 10 });
    // The same projection as the gateway's call.
    expect(peerOperation('mesh', walk).query).toContain(
      'fields: "id,created_at,account_id,event_type_id,user_id,user_name,actor_user_id,actor_user_name,app_id,app_name,ipaddr,notes"',
    );
  });
});

describe('--peers', () => {
  it('is both by default, a subset, or none', () => {
    expect(parsePeers(undefined)).toEqual(['mesh', 'apollo-rest']);
    expect(parsePeers('apollo-rest,mesh')).toEqual(['mesh', 'apollo-rest']);
    expect(parsePeers('none')).toEqual([]);
    expect(() => parsePeers('graphql-mesh')).toThrow('--peers takes mesh, apollo-rest or none');
    expect(parseBenchArgs([])).toMatchObject({ peers: ['mesh', 'apollo-rest'], peerDurationS: 2 });
    expect(parseBenchArgs(['--smoke', '--peers', 'none'])).toMatchObject({
      peers: [],
      peerDurationS: 0.5,
    });
  });
});
