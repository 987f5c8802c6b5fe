/**
 * A smoke test of `npm run bench`: the harness runs for about a second per
 * contestant (direct, floor, gateway, and the gateway with production
 * security) and writes its reports. It asserts their shape, never timings.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';

import type { BenchReport } from '../../bench/runBenchmarks';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs scenario 1 against all four contestants and writes the JSON and Markdown reports', async () => {
    const jsonPath = path.join(directory, 'benchmarks.json');
    const markdownPath = path.join(directory, 'BENCHMARKS.md');
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--smoke',
        '--scenarios',
        '1',
        '--latencies',
        '0',
        '--out',
        jsonPath,
        '--markdown',
        markdownPath,
      ],
      { cwd: ROOT, timeout: 110_000 },
    );

    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
    expect(report).toMatchObject({
      version: 1,
      command: expect.stringContaining('npm run bench -- --smoke'),
      machine: { cores: expect.any(Number), node: process.version },
      gateway: { commit: expect.any(String) },
      settings: {
        durationS: 1,
        connections: 8,
        upstreamLatenciesMs: [0],
        security: {
          gateway: { AUTH_MODE: 'none' },
          secured: {
            AUTH_MODE: 'jwt',
            AUTH_JWT_ISSUER: expect.any(String),
            AUTH_JWT_AUDIENCE: expect.any(String),
            RATE_LIMIT_REQUESTS_PER_MINUTE: expect.any(String),
            RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: expect.any(String),
          },
        },
      },
      scenarios: [
        {
          id: 'page50',
          number: 1,
          unit: 'request',
          httpRequestsPerUnit: { direct: 1, floor: 1, gateway: 1, secured: 1 },
        },
      ],
    });
    expect(report.results.map((result) => result.contestant)).toEqual([
      'direct',
      'floor',
      'gateway',
      'secured',
    ]);
    for (const result of report.results) {
      expect(result).toMatchObject({
        scenario: 'page50',
        upstreamLatencyMs: 0,
        errors: 0,
        requestsPerSecond: expect.any(Number),
        latencyMs: { p50: expect.any(Number), p99: expect.any(Number) },
        upstreamCallsPerRequest: expect.any(Number),
        simulatorCpuMsPerRequest: expect.any(Number),
      });
      expect(result.units).toBeGreaterThan(0);
      expect(result.upstreamCalls).toHaveProperty(['GET /api/1/events']);
      if (result.contestant === 'direct') {
        expect(result.cpuMsPerRequest).toBeNull();
      } else {
        expect(result.cpuMsPerRequest).toEqual(expect.any(Number));
        expect(result.peakRssMB).toEqual(expect.any(Number));
      }
    }
    expect(report.ratios).toEqual([
      expect.objectContaining({
        scenario: 'page50',
        upstreamLatencyMs: 0,
        throughput: expect.any(Number),
        cpuPerRequest: expect.any(Number),
      }),
    ]);
    expect(report.securityTargets).toEqual({ cpuPerRequest: 1.1, p50DeltaMs: 0.3 });
    expect(report.securityPrices).toEqual([
      {
        scenario: 'page50',
        upstreamLatencyMs: 0,
        cpuPerRequest: expect.any(Number),
        p50DeltaMs: expect.any(Number),
        p50TargetMs: 0.3,
        withinTarget: { cpuPerRequest: expect.any(Boolean), p50: expect.any(Boolean) },
      },
    ]);

    const json = readFileSync(jsonPath, 'utf8');
    const markdown = readFileSync(markdownPath, 'utf8');
    // The secured contestant's bearer token (a JWS, `eyJ…`) stays out of the reports.
    expect(json).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(markdown).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(markdown).toContain('<!-- bench:results:start -->');
    expect(markdown).toContain('| 1 page50 | 0 ms | direct |');
    expect(markdown).toContain('|  |  | secured (gateway, production security) |');
    expect(markdown).toContain('Price of production security');
    expect(markdown).toMatch(
      /\| 1 page50 \| 0 ms \| [\d.]+ \| ≤ 1\.10 \| [-+][\d.]+ \| ≤ \+0\.30 \| (yes|no) \|/,
    );
    expect(markdown).toContain(report.command);
  }, 120_000);
});
