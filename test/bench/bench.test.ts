/**
 * A smoke test of `npm run bench`: the harness runs for about a second per
 * contestant (direct, floor, gateway, and the gateway with production
 * security), then one price round (secured against gateway, and a second bare
 * gateway against the first), and writes its reports. It asserts their shape,
 * never timings. The price's arithmetic is tested on made-up runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';

import type { BenchReport } from '../../bench/runBenchmarks';
import type { PriceRun } from '../../bench/securityPrice';
import {
  median,
  noiseOf,
  PRICE_ROUND,
  securityPricesOf,
  verdictOf,
} from '../../bench/securityPrice';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs scenario 1 against all four contestants and writes the JSON and Markdown reports', async () => {
    const jsonPath = path.join(directory, 'benchmarks.json');
    const markdownPath = path.join(directory, 'BENCHMARKS.md');
    const { stdout } = await promisify(execFile)(
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
        price: { rounds: 1, durationS: 0.5, round: [...PRICE_ROUND] },
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
    // One round: six runs in PRICE_ROUND's order, each after a warm-up or its own previous run
    // (gateway-b's first after as much load as the main runs gave the others).
    expect(
      report.priceRuns.map((run) => [run.contestant, run.round, run.position, run.after]),
    ).toEqual([
      ['gateway-b', 1, 0, 'main runs’ load'],
      ['gateway', 1, 1, 'warm-up'],
      ['secured', 1, 2, 'warm-up'],
      ['secured', 1, 3, 'own previous run'],
      ['gateway', 1, 4, 'warm-up'],
      ['gateway-b', 1, 5, 'warm-up'],
    ]);
    for (const run of report.priceRuns) {
      expect(run).toMatchObject({ scenario: 'page50', upstreamLatencyMs: 0, errors: 0 });
      expect(run.units).toBeGreaterThan(0);
      expect(run.cpuMsPerRequest).toEqual(expect.any(Number));
    }
    const paired = {
      median: expect.any(Number),
      min: expect.any(Number),
      max: expect.any(Number),
      pairs: [expect.any(Number), expect.any(Number)],
    };
    const verdict = expect.stringMatching(/^(met|missed|within noise)$/);
    expect(report.securityPrices).toEqual([
      {
        scenario: 'page50',
        upstreamLatencyMs: 0,
        pairs: 2,
        price: { cpuPerRequest: paired, p50DeltaMs: paired },
        control: { cpuPerRequest: paired, p50DeltaMs: paired },
        noise: { cpuPerRequest: expect.any(Number), p50DeltaMs: expect.any(Number) },
        p50TargetMs: 0.3,
        verdict: { cpuPerRequest: verdict, p50: verdict },
      },
    ]);

    const json = readFileSync(jsonPath, 'utf8');
    const markdown = readFileSync(markdownPath, 'utf8');
    // The secured contestant's bearer token (a JWS, `eyJ…`) stays out of the reports and the log.
    for (const text of [json, markdown, stdout]) expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(markdown).toContain('<!-- bench:results:start -->');
    expect(markdown).toContain('| 1 page50 | 0 ms | direct |');
    expect(markdown).toContain('|  |  | secured (gateway, production security) |');
    expect(markdown).toContain('Price of production security');
    expect(markdown).toContain(
      '1 round of gateway-b, gateway, secured, secured, gateway, gateway-b',
    );
    const ratio = String.raw`[\d.]+ \([\d.]+–[\d.]+\)`;
    const difference = String.raw`[-+][\d.]+ \([-+][\d.]+…[-+][\d.]+\)`;
    const met = '(yes|no|within noise)';
    expect(markdown).toMatch(
      new RegExp(
        String.raw`\| 1 page50 \| 0 ms \| 2 \| ${ratio} \| ${ratio} \| ≤ 1\.10 \| ${met} \| ` +
          String.raw`${difference} \| ${difference} \| ≤ \+0\.30 \| ${met} \|`,
      ),
    );
    expect(stdout).toContain('Price of production security');
    expect(markdown).toContain(report.command);
  }, 120_000);
});

/** A made-up price run: only what the price reads. */
function priceRun(
  round: number,
  position: number,
  cpuMsPerRequest: number,
  p50: number,
  scenario: PriceRun['scenario'] = 'walk1000',
): PriceRun {
  return {
    scenario,
    upstreamLatencyMs: 20,
    contestant: PRICE_ROUND[position] as PriceRun['contestant'],
    round,
    position,
    after: 'warm-up',
    cpuMsPerRequest,
    latencyMs: { p50, p99: p50, mean: p50, samples: 100 },
  } as PriceRun;
}

describe('the price of security from the rounds', () => {
  it('pairs each secured run and each gateway-b run with the gateway run next to it', () => {
    // Positions: gateway-b, gateway, secured, secured, gateway, gateway-b.
    const runs = [
      ...[1.02, 1.0, 1.05, 1.2, 1.1, 0.99].map((cpu, position) =>
        priceRun(1, position, cpu, 100 + position),
      ),
      ...[2.0, 2.0, 2.2, 2.0, 2.0, 2.1].map((cpu, position) =>
        priceRun(2, position, cpu, 200 - position),
      ),
    ];
    const [price] = securityPricesOf(runs, () => 10);
    expect(price).toBeDefined();
    if (!price) return;
    expect(price.pairs).toBe(4);
    // secured/gateway: 1.05/1.0, 1.2/1.1, 2.2/2.0, 2.0/2.0
    expect(price.price.cpuPerRequest?.pairs).toEqual([
      1.05,
      expect.closeTo(1.2 / 1.1, 10),
      expect.closeTo(1.1, 10),
      1,
    ]);
    expect(price.price.cpuPerRequest?.median).toBeCloseTo((1.05 + 1.2 / 1.1) / 2, 10);
    expect(price.price.cpuPerRequest?.min).toBe(1);
    expect(price.price.cpuPerRequest?.max).toBeCloseTo(1.1, 10);
    // gateway-b/gateway: 1.02/1.0, 0.99/1.1, 2.0/2.0, 2.1/2.0
    expect(price.control.cpuPerRequest?.pairs).toEqual([
      expect.closeTo(1.02, 10),
      expect.closeTo(0.9, 10),
      1,
      expect.closeTo(1.05, 10),
    ]);
    // p50: secured − gateway = 102 − 101, 103 − 104, 198 − 199, 197 − 196
    expect(price.price.p50DeltaMs.pairs).toEqual([1, -1, -1, 1]);
    expect(price.price.p50DeltaMs.median).toBe(0);
    // gateway-b − gateway = 100 − 101, 105 − 104, 200 − 199, 195 − 196
    expect(price.control.p50DeltaMs.pairs).toEqual([-1, 1, 1, -1]);
    // A median of 4 pairs: the farthest control pair (0.9, 0.1 off) over √4, since the control's
    // own median (1.01) is closer; p50: 1 ms over √4.
    expect(price.noise.cpuPerRequest).toBeCloseTo(0.05, 10);
    expect(price.noise.p50DeltaMs).toBe(0.5);
    // A walk of 10 GraphQL requests may cost 10 × 0.3 ms.
    expect(price.p50TargetMs).toBeCloseTo(3, 10);
    // 1.070 + 0.05 > 1.10 and 1.070 − 0.05 ≤ 1.10; 0 + 0.5 ≤ 3.
    expect(price.verdict).toEqual({ cpuPerRequest: 'within noise', p50: 'met' });
  });

  it('keeps scenarios apart and skips pairs whose gateway CPU could not be read', () => {
    const runs = [
      ...[1, 0, 1, 1, 1, 1].map((cpu, position) => priceRun(1, position, cpu, 1, 'page50')),
      ...[1, 1, 1, 1, 1, 1].map((cpu, position) => priceRun(1, position, cpu, 1)),
    ];
    const prices = securityPricesOf(runs, () => 1);
    expect(prices.map((price) => price.scenario)).toEqual(['page50', 'walk1000']);
    expect(prices[0]?.price.cpuPerRequest?.pairs).toEqual([1]);
    expect(prices[0]?.pairs).toBe(2);
  });

  it('takes the noise of a median from the control', () => {
    const figure = (pairs: number[]) => ({
      median: median(pairs),
      min: Math.min(...pairs),
      max: Math.max(...pairs),
      pairs,
    });
    // The control's median strays by 0.2: that is the noise.
    expect(noiseOf(figure([1.2, 1.2]), 1)).toBeCloseTo(0.2, 10);
    // Its median hits 1 by chance: the farthest pair, 0.3 off, over √2.
    expect(noiseOf(figure([0.7, 1.3]), 1)).toBeCloseTo(0.3 / Math.SQRT2, 10);
    expect(noiseOf(figure([-2, 1, 0, 0]), 0)).toBe(1);
  });

  it('says met or missed only beyond the noise', () => {
    expect(verdictOf(1.02, 0.05, 1.1)).toBe('met');
    expect(verdictOf(1.08, 0.05, 1.1)).toBe('within noise');
    expect(verdictOf(1.12, 0.05, 1.1)).toBe('within noise');
    expect(verdictOf(1.2, 0.05, 1.1)).toBe('missed');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
