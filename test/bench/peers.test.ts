/**
 * The bench's peers (bench/peers/): the fixes Mesh's OpenAPI spec gets, the
 * `--peers` flag, and a smoke run of the scenarios the main smoke test
 * (bench.test.ts, scenario 1) leaves out, so that every peer's answers to
 * every scenario are checked against direct REST at least once. It asserts
 * shapes, never timings.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { parseBenchArgs } from '../../bench/parseBenchArgs';
import { parsePeers } from '../../bench/peers/peerIds';
import { fixedSpec, SPEC_FIXES, specPath } from '../../bench/peers/meshSpec';
import { peerOperation } from '../../bench/peers/peerOperations';
import type { BenchReport } from '../../bench/runBenchmarks';
import { SCENARIOS } from '../../bench/scenarios';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-peers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Scenarios 2-4 at 0 ms, no prices: 7 processes, about 60 s here with a load average of 8. */
const SMOKE_TIMEOUT_MS = 240_000;

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

describe('npm run bench with the peers', () => {
  it(
    'checks both peers against direct REST in scenarios 2, 3 and 4 and measures them',
    async () => {
      const jsonPath = path.join(directory, 'benchmarks.json');
      await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/run.ts',
          '--smoke',
          '--scenarios',
          '2,3,4',
          '--price-rounds',
          '0',
          // The scale part is bench.test.ts's.
          '--scale',
          'none',
          '--out',
          jsonPath,
          '--markdown',
          path.join(directory, 'BENCHMARKS.md'),
        ],
        { cwd: ROOT, timeout: SMOKE_TIMEOUT_MS - 10_000 },
      );
      const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
      const peers = report.results.filter(
        (result) => result.contestant === 'mesh' || result.contestant === 'apollo-rest',
      );
      expect(peers.map((result) => `${result.scenario} ${result.contestant}`)).toEqual([
        'page10-all-fields mesh',
        'page10-all-fields apollo-rest',
        'event-by-id mesh',
        'event-by-id apollo-rest',
        'walk1000 mesh',
        'walk1000 apollo-rest',
      ]);
      for (const result of peers) {
        expect(result.errors).toBe(0);
        expect(result.units).toBeGreaterThan(0);
        expect(result.cpuMsPerRequest).toEqual(expect.any(Number));
      }
      // Neither peer keeps events: each event(id) is a OneLogin call.
      for (const result of peers.filter((result) => result.scenario === 'event-by-id')) {
        expect(result.upstreamCalls).toHaveProperty(['GET /api/1/events/:id']);
      }
      expect(report.peers?.httpRequestsPerUnit['walk1000']).toEqual({
        mesh: 20,
        'apollo-rest': 10,
      });
      expect(report.peers?.ratios).toHaveLength(6);
    },
    SMOKE_TIMEOUT_MS,
  );
});
