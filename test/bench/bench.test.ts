/**
 * A smoke test of `npm run bench`: the harness runs the four scenarios for
 * about a second per contestant (direct, floor, gateway, and the gateway with
 * production security) and per peer (mesh, apollo-rest, their answers checked
 * against direct REST first), then one price round (the secured, metrics, tracing and logs
 * gateways against the bare one, and a second bare gateway against the
 * first), then the scale part at its smallest sizes (pages of 10 and 500,
 * `_entities` of 10 and 1,000, 1 and 2 replicas sharing Redis when it
 * answers), and writes its reports. It asserts their shape and the whole
 * numbers (upstream calls per request), never timings. The prices'
 * arithmetic is tested on made-up runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from '@jest/globals';

import { parseBenchArgs } from '../../bench/parseBenchArgs';
import type { BenchReport } from '../../bench/runBenchmarks';
import type { BenchPrice, PriceRun } from '../../bench/prices';
import { DEFAULT_REDIS_URL, QUICK_SCALE_SIZES } from '../../bench/scale';
import {
  median,
  noiseOf,
  PRICE_ROUND,
  priceRoundFor,
  pricesOf,
  verdictOf,
  withEvidence,
} from '../../bench/prices';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * The smoke run starts the simulator, the floor, seven gateways and the two
 * peers, runs the four scenarios on them, then one price round of seven blocks
 * at scenario 1, each on two fresh gateway processes; the scale part adds a
 * simulator, a floor and three gateways and 10 short runs. About 150 s alone on
 * a 2-core AMD EPYC that runs the default bench in 8 minutes (2026-12-08; the
 * peers' scenarios 2 to 4 had a smoke run of their own until then, 100 s more
 * in the suite), 180 to 230 s in the suite with its three workers. The timeout
 * leaves room for a busy machine.
 */
const SMOKE_TIMEOUT_MS = 420_000;

describe('npm run bench', () => {
  it(
    'runs the four scenarios against all four contestants and both peers, prices security, metrics, tracing (always and 10 % sampled), logs and all of production in a round on fresh processes, and writes the JSON and Markdown reports',
    async () => {
      const jsonPath = path.join(directory, 'benchmarks.json');
      const markdownPath = path.join(directory, 'BENCHMARKS.md');
      const started = performance.now();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/run.ts',
          '--quick',
          '--scenarios',
          '1,2,3,4',
          '--latencies',
          '0',
          '--price-rounds',
          '1',
          // Scenario 1 at 20 ms is not measured: the prices go where they are asked for.
          '--price-cells',
          '1@0',
          '--out',
          jsonPath,
          '--markdown',
          markdownPath,
        ],
        { cwd: ROOT, timeout: SMOKE_TIMEOUT_MS - 10_000 },
      );
      // Well under the timeout, so that a slower harness shows here before it fails.
      expect(performance.now() - started).toBeLessThan(0.75 * SMOKE_TIMEOUT_MS);

      const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
      expect(report).toMatchObject({
        version: 1,
        command: expect.stringContaining('npm run bench -- --quick'),
        machine: { cores: expect.any(Number), node: process.version },
        gateway: { commit: expect.any(String) },
        settings: {
          durationS: 1,
          connections: 8,
          upstreamLatenciesMs: [0],
          price: {
            rounds: 1,
            durationS: 0.5,
            prices: ['security', 'metrics', 'tracing', 'sampled-tracing', 'logs', 'production'],
            roundByCell: { 'page50@0': ROUND },
          },
          configurations: {
            gateway: { AUTH_MODE: 'none', METRICS_ENABLED: 'false', LOG_LEVEL: 'warn' },
            secured: {
              AUTH_MODE: 'jwt',
              AUTH_JWT_ISSUER: expect.any(String),
              AUTH_JWT_AUDIENCE: expect.any(String),
              RATE_LIMIT_REQUESTS_PER_MINUTE: expect.any(String),
              RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: expect.any(String),
              METRICS_ENABLED: 'false',
              LOG_LEVEL: 'warn',
            },
            metrics: { AUTH_MODE: 'none', METRICS_ENABLED: 'true', LOG_LEVEL: 'warn' },
            tracing: {
              AUTH_MODE: 'none',
              METRICS_ENABLED: 'false',
              LOG_LEVEL: 'warn',
              OTEL_EXPORTER_OTLP_ENDPOINT: expect.any(String),
              OTEL_TRACES_SAMPLER: 'always_on',
              OTEL_BSP_SCHEDULE_DELAY: '1000',
            },
            'sampled-tracing': {
              AUTH_MODE: 'none',
              METRICS_ENABLED: 'false',
              LOG_LEVEL: 'warn',
              OTEL_EXPORTER_OTLP_ENDPOINT: expect.any(String),
              OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
              OTEL_TRACES_SAMPLER_ARG: '0.1',
              OTEL_BSP_SCHEDULE_DELAY: '1000',
            },
            logs: { AUTH_MODE: 'none', METRICS_ENABLED: 'false', LOG_LEVEL: 'info' },
            production: {
              AUTH_MODE: 'jwt',
              METRICS_ENABLED: 'true',
              LOG_LEVEL: 'info',
              OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
              OTEL_TRACES_SAMPLER_ARG: '0.1',
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
          { id: 'page10-all-fields', number: 2, unit: 'request' },
          { id: 'event-by-id', number: 3, unit: 'request' },
          // A walk is 10 GraphQL requests of 100 events, or 20 REST calls of 50.
          {
            id: 'walk1000',
            number: 4,
            unit: 'walk',
            httpRequestsPerUnit: { direct: 20, floor: 10, gateway: 10, secured: 10 },
          },
        ],
      });
      // The peers (bench/peers/) come after the contestants in each scenario, their answers
      // checked against direct REST first.
      expect(report.results.map((result) => `${result.scenario} ${result.contestant}`)).toEqual(
        ['page50', 'page10-all-fields', 'event-by-id', 'walk1000'].flatMap((scenario) =>
          ['direct', 'floor', 'gateway', 'secured', 'mesh', 'apollo-rest'].map(
            (contestant) => `${scenario} ${contestant}`,
          ),
        ),
      );
      expect(report.peers).toMatchObject({
        ids: ['mesh', 'apollo-rest'],
        durationS: 0.5,
        httpRequestsPerUnit: {
          page50: { mesh: 1, 'apollo-rest': 1 },
          'page10-all-fields': { mesh: 1, 'apollo-rest': 1 },
          'event-by-id': { mesh: 1, 'apollo-rest': 1 },
          // Mesh pages by OneLogin's 50, apollo-rest by the walk's 100 (two calls each).
          walk1000: { mesh: 20, 'apollo-rest': 10 },
        },
        addedS: expect.any(Number),
      });
      expect(report.peers?.meshSpecFixes.map((fix) => fix.what)).toHaveLength(8);
      expect(
        report.peers?.ratios.map(
          (ratio) => `${ratio.scenario}@${ratio.upstreamLatencyMs} ${ratio.peer}`,
        ),
      ).toEqual(
        ['page50', 'page10-all-fields', 'event-by-id', 'walk1000'].flatMap((scenario) => [
          `${scenario}@0 mesh`,
          `${scenario}@0 apollo-rest`,
        ]),
      );
      for (const result of report.results) {
        expect(result.errors).toBe(0);
        expect(result.units).toBeGreaterThan(0);
      }
      // Neither peer keeps events: each of their event(id) is a OneLogin call; the gateway's
      // and the floor's are answered from the events they listed when the data was checked.
      for (const result of report.results.filter((result) => result.scenario === 'event-by-id')) {
        if (result.contestant === 'mesh' || result.contestant === 'apollo-rest') {
          expect(result.upstreamCalls).toHaveProperty(['GET /api/1/events/:id']);
        }
        if (result.contestant === 'gateway' || result.contestant === 'floor') {
          expect(result.upstreamCallsPerRequest).toBeLessThan(0.01);
        }
      }
      for (const result of report.results.filter((result) => result.scenario === 'page50')) {
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
      expect(report.ratios).toEqual(
        ['page50', 'page10-all-fields', 'event-by-id', 'walk1000'].map((scenario) =>
          expect.objectContaining({
            scenario,
            upstreamLatencyMs: 0,
            throughput: expect.any(Number),
            cpuPerRequest: expect.any(Number),
          }),
        ),
      );
      expect(report.priceTargets).toEqual({
        security: { cpuPerRequest: 1.1, p50DeltaMs: 0.3 },
        metrics: { cpuPerRequest: 1.05, p50DeltaMs: null },
        tracing: { cpuPerRequest: 1.05, p50DeltaMs: null },
        'sampled-tracing': { cpuPerRequest: 1.05, p50DeltaMs: null },
        logs: { cpuPerRequest: 1.05, p50DeltaMs: null },
        production: { cpuPerRequest: 1.2, p50DeltaMs: 0.5 },
      });
      // One round of seven blocks (the A/A control's, then one per price), each block four runs,
      // gateway, X, X, gateway, on two fresh processes warmed alike before their first run.
      const blocks = ROUND.filter((_, position) => position % 4 === 1);
      expect(blocks).toEqual([
        'gateway-b',
        'secured',
        'metrics',
        'tracing',
        'sampled-tracing',
        'logs',
        'production',
      ]);
      expect(
        report.priceRuns.map((run) => [run.contestant, run.round, run.position, run.after]),
      ).toEqual(
        [1].flatMap((round) =>
          blocks.flatMap((priced, index) => [
            ['gateway', round, 4 * index, 'fresh warm-up'],
            [priced, round, 4 * index + 1, 'fresh warm-up'],
            [priced, round, 4 * index + 2, 'own previous run'],
            ['gateway', round, 4 * index + 3, 'warm-up'],
          ]),
        ),
      );
      // Each block ran on fresh processes: the gateway's and the priced one's, both its own.
      const pidsOfBlock = new Map<string, Set<number | null>>();
      for (const run of report.priceRuns) {
        const key = `${run.round}:${Math.floor(run.position / 4)}`;
        pidsOfBlock.set(key, (pidsOfBlock.get(key) ?? new Set()).add(run.pid));
      }
      expect([...pidsOfBlock.values()].map((pids) => pids.size)).toEqual(
        Array.from({ length: 7 }, () => 2),
      );
      const everyPid = [...pidsOfBlock.values()].flatMap((pids) => [...pids]);
      expect(new Set(everyPid).size).toBe(everyPid.length);
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
      const cell = {
        scenario: 'page50',
        upstreamLatencyMs: 0,
        pairs: 2,
        control: { cpuPerRequest: paired, p50DeltaMs: paired },
        noise: { cpuPerRequest: expect.any(Number), p50DeltaMs: expect.any(Number) },
      };
      const measured = {
        price: { cpuPerRequest: paired, p50DeltaMs: paired },
        verdict: { cpuPerRequest: verdict, p50: null },
      };
      const byConfiguration = (id: BenchPrice['configuration']) =>
        report.prices.find((price) => price.configuration === id);
      expect(report.prices.map((price) => price.configuration)).toEqual([
        'security',
        'metrics',
        'tracing',
        'sampled-tracing',
        'logs',
        'production',
      ]);
      expect(byConfiguration('security')).toEqual({
        ...cell,
        configuration: 'security',
        contestant: 'secured',
        price: { cpuPerRequest: paired, p50DeltaMs: paired },
        targets: { cpuPerRequest: 1.1, p50DeltaMs: 0.3 },
        verdict: { cpuPerRequest: verdict, p50: verdict },
      });
      // Metrics were scraped (every answer 200), and each request wrote one access-log line.
      expect(byConfiguration('metrics')).toEqual({
        ...cell,
        ...measured,
        configuration: 'metrics',
        contestant: 'metrics',
        targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
        evidence: expect.objectContaining({ what: 'scrapes answered 200', failures: 0 }),
      });
      expect(byConfiguration('metrics')?.evidence?.count).toBeGreaterThan(0);
      expect(byConfiguration('logs')).toEqual({
        ...cell,
        ...measured,
        configuration: 'logs',
        contestant: 'logs',
        targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
        evidence: expect.objectContaining({ what: 'access-log lines' }),
      });
      expect(byConfiguration('logs')?.evidence?.perRequest).toBeCloseTo(1, 1);
      // Production: one access-log line per request, some spans and scrapes (else no price).
      expect(byConfiguration('production')).toEqual({
        ...cell,
        configuration: 'production',
        contestant: 'production',
        price: { cpuPerRequest: paired, p50DeltaMs: paired },
        targets: { cpuPerRequest: 1.2, p50DeltaMs: 0.5 },
        verdict: { cpuPerRequest: verdict, p50: verdict },
        evidence: expect.objectContaining({
          what: expect.stringMatching(
            /^access-log lines per request, [\d.]+ spans per request, [1-9]\d* scrapes answered 200$/,
          ),
        }),
      });
      expect(byConfiguration('production')?.evidence?.perRequest).toBeCloseTo(1, 1);
      // Tracing: spans received and a price, or (before the gateway traces) no price at all.
      const tracing = byConfiguration('tracing');
      expect(tracing).toMatchObject({ ...cell, configuration: 'tracing', contestant: 'tracing' });
      if (tracing?.evidence?.count) {
        expect(tracing).toMatchObject(measured);
        expect(tracing.evidence.perRequest).toBeGreaterThan(0.9);
      } else {
        expect(tracing).toMatchObject({
          price: null,
          notMeasured: 'no spans received',
          verdict: { cpuPerRequest: null, p50: null },
        });
      }
      // About one trace in ten (two spans each) reached the sink, counted apart from the other's.
      const sampled = byConfiguration('sampled-tracing');
      expect(sampled).toMatchObject({
        ...cell,
        configuration: 'sampled-tracing',
        contestant: 'sampled-tracing',
      });
      if (sampled?.evidence?.count) {
        expect(sampled).toMatchObject(measured);
        expect(sampled.evidence.perRequest).toBeGreaterThan(0.05);
        expect(sampled.evidence.perRequest).toBeLessThan(0.5);
      }

      const json = readFileSync(jsonPath, 'utf8');
      const markdown = readFileSync(markdownPath, 'utf8');
      // The secured contestant's bearer token (a JWS, `eyJ…`) stays out of the reports and the log.
      for (const text of [json, markdown, stdout]) expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
      expect(markdown).toContain('<!-- bench:results:start -->');
      expect(markdown).toContain('| 1 page50 | 0 ms | direct |');
      expect(markdown).toContain('|  |  | secured (gateway, production security) |');
      expect(markdown).toContain('|  |  | mesh (Hive Gateway, Mesh OpenAPI supergraph) |');
      expect(markdown).toMatch(
        /\| 1 page50 \| 0 ms \| apollo-rest \| [\d.]+ \| [\d.]+ \| [-+][\d.]+ \|/,
      );
      expect(markdown).toContain('Prices of production security, metrics');
      expect(markdown).toContain(
        `1 round per priced scenario and latency (0.5 s each run) of ${ROUND.join(', ')}`,
      );
      const ratio = String.raw`[\d.]+ \([\d.]+–[\d.]+\)`;
      const difference = String.raw`[-+][\d.]+ \([-+][\d.]+…[-+][\d.]+\)`;
      const met = '(yes|no|within noise)';
      const cellColumns = String.raw`1 page50 \| 0 ms \| 2`;
      expect(markdown).toMatch(
        new RegExp(
          String.raw`\| security \| ${cellColumns} \| ${ratio} \| ${ratio} \| ≤ 1\.10 \| ${met} \| ` +
            String.raw`${difference} \| ${difference} \| ≤ \+0\.30 \| ${met} \| 401 without a token \|`,
        ),
      );
      expect(markdown).toMatch(
        new RegExp(
          String.raw`\| metrics \| ${cellColumns} \| ${ratio} \| ${ratio} \| ≤ 1\.05 \| ${met} \| ` +
            String.raw`${difference} \| ${difference} \| — \| — \| \d+ of \d+ scrapes answered 200 \|`,
        ),
      );
      expect(markdown).toMatch(
        new RegExp(
          String.raw`\| logs \| ${cellColumns} \| ${ratio} \| ${ratio} \| ≤ 1\.05 \| ${met} \| ` +
            String.raw`${difference} \| ${difference} \| — \| — \| [\d.]+ access-log lines per request \|`,
        ),
      );
      expect(markdown).toMatch(
        new RegExp(
          String.raw`\| tracing \| ${cellColumns} \| (${ratio}|not measured: no spans received) \| ${ratio} \| ≤ 1\.05 \|`,
        ),
      );
      expect(markdown).toContain('METRICS_ENABLED=false, LOG_LEVEL=warn');
      expect(stdout).toContain('Prices (each priced gateway against the bare one');
      expect(markdown).toContain(report.command);

      await expectScale(report, markdown, stdout);
    },
    SMOKE_TIMEOUT_MS,
  );
});

/**
 * The scale part at --quick's sizes, at the run's only latency (0 ms): the
 * upstream calls per request are whole numbers (⌈first / 50⌉ per page, none for
 * `_entities` of listed events), every run answered without an error, and the
 * per-event and per-representation figures follow from the per-request ones.
 */
async function expectScale(report: BenchReport, markdown: string, stdout: string): Promise<void> {
  const { scale } = report;
  expect(scale).toMatchObject({
    upstreamLatencyMs: 0,
    durationS: 1,
    warmupS: 0.5,
    connections: 8,
    parts: ['pages', 'entities', 'replicas'],
    sizes: QUICK_SCALE_SIZES,
    gatewaySettings: { UPSTREAM_CALLS_PER_REQUEST_MAX: '10000' },
  });
  if (!scale) return;
  const healthy = (run: {
    errors: number;
    units: number;
    cpuMsPerRequest: number | null;
    latencyMs: { p50: number; p99: number };
  }) => {
    expect(run.errors).toBe(0);
    expect(run.units).toBeGreaterThan(0);
    expect(run.cpuMsPerRequest).toBeGreaterThan(0);
    expect(run.latencyMs.p50).toBeGreaterThan(0);
    expect(run.latencyMs.p99).toBeGreaterThanOrEqual(run.latencyMs.p50);
  };

  expect(
    scale.pages?.map((row) => [row.first, row.checkedPages, row.upstreamCallsPerPage]),
  ).toEqual([
    [10, 20, { gateway: 1, floor: 1 }],
    [500, 10, { gateway: 10, floor: 10 }],
  ]);
  for (const row of scale.pages ?? []) {
    healthy(row.gateway);
    healthy(row.floor);
    expect(row.cpuUsPerEvent.gateway).toBeCloseTo(
      ((row.gateway.cpuMsPerRequest ?? 0) * 1000) / row.first,
      6,
    );
    expect(row.cpuUsPerEvent.floor).toBeCloseTo(
      ((row.floor.cpuMsPerRequest ?? 0) * 1000) / row.first,
      6,
    );
    // Under load too, but for requests in flight when a run (or its warm-up) ends.
    const calls = Math.ceil(row.first / 50);
    for (const run of [row.gateway, row.floor]) {
      expect(run.upstreamCallsPerRequest).toBeGreaterThan(0.9 * calls);
      expect(run.upstreamCallsPerRequest).toBeLessThanOrEqual(1.05 * calls);
    }
  }

  expect(scale.entities?.query).toMatch(
    /^query BenchEntities\(\$representations: \[_Any!\]!\) \{ _entities\(representations: \$representations\) \{ \.\.\. on Event \{ id createdAt .* eventType \{ name \} \} \} \}$/,
  );
  expect(
    scale.entities?.rows.map((row) => [
      row.representations,
      row.batches,
      row.upstreamCallsPerRequest,
    ]),
  ).toEqual([
    [10, 100, 0],
    [1000, 1, 0],
  ]);
  for (const row of scale.entities?.rows ?? []) {
    healthy(row.gateway);
    expect(row.gateway.upstreamCallsPerRequest).toBe(0);
    expect(row.cpuUsPerRepresentation).toBeCloseTo(
      ((row.gateway.cpuMsPerRequest ?? 0) * 1000) / row.representations,
      6,
    );
  }

  const replicas = scale.replicas;
  expect(replicas).toBeDefined();
  if (replicas?.measured) {
    expect(scale.warnings).toEqual([]);
    expect(replicas.namespace).toMatch(/^bench-scale-\d+-\d+$/);
    expect(replicas.keysDeleted).toBeGreaterThan(0);
    expect(replicas.rows.map((row) => row.replicas)).toEqual([1, 2]);
    // The same load on each replica: 8 connections over the most replicas (2), 4 each.
    expect(replicas.rows.map((row) => row.connections)).toEqual([4, 8]);
    for (const row of replicas.rows) {
      expect(row.errors).toBe(0);
      expect(row.requestsPerSecond).toBeGreaterThan(0);
      expect(row.totalCpuMsPerRequest).toBeGreaterThan(0);
      expect(row.cpuMsPerRequestByReplica).toHaveLength(row.replicas);
      for (const value of row.cpuMsPerRequestByReplica) expect(value).toBeGreaterThan(0);
      expect(row.requestShareByReplica.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 6);
      // Both replicas got a fair part of the connections' requests.
      for (const share of row.requestShareByReplica) {
        expect(share).toBeGreaterThan(0.5 / row.replicas);
      }
      expect(row.upstreamCallsPerRequest).toBeGreaterThan(0.9);
      expect(row.upstreamCallsPerRequest).toBeLessThanOrEqual(1.05);
    }
    // Nothing of the run is left in Redis.
    const client = createClient({ url: process.env['REDIS_URL'] || DEFAULT_REDIS_URL });
    await client.connect();
    try {
      expect(await client.keys(`${replicas.namespace}*`)).toEqual([]);
    } finally {
      await client.quit();
    }
  } else {
    expect(replicas?.reason).toMatch(/^Redis at .+ did not answer/);
    expect(scale.warnings).toEqual([`scale replicas: ${replicas?.reason ?? ''}`]);
    expect(markdown).toContain('Not measured: Redis at');
  }

  expect(markdown).toContain('<!-- bench:scale:start -->');
  expect(markdown).toContain('## Scale');
  expect(markdown).toMatch(/\| 10 \| 1 \| [\d.]+ \|/);
  expect(markdown).toMatch(/\| 500 \| 10 \| [\d.]+ \|/);
  expect(markdown).toMatch(/\| 1000 \| 1 \| 0 \| [\d.]+ \|/);
  expect(stdout).toContain('### `_entities` batches');
}

const ROUND = [
  'gateway',
  'gateway-b',
  'gateway-b',
  'gateway',
  'gateway',
  'secured',
  'secured',
  'gateway',
  'gateway',
  'metrics',
  'metrics',
  'gateway',
  'gateway',
  'tracing',
  'tracing',
  'gateway',
  'gateway',
  'sampled-tracing',
  'sampled-tracing',
  'gateway',
  'gateway',
  'logs',
  'logs',
  'gateway',
  'gateway',
  'production',
  'production',
  'gateway',
];

/** A made-up price run: only what the price reads. */
function priceRun(
  round: number,
  position: number,
  cpuMsPerRequest: number,
  p50: number,
  scenario: PriceRun['scenario'] = 'walk1000',
  sequence: readonly PriceRun['contestant'][] = PRICE_ROUND,
): PriceRun {
  return {
    scenario,
    upstreamLatencyMs: 20,
    contestant: sequence[position] as PriceRun['contestant'],
    round,
    position,
    after: 'warm-up',
    cpuMsPerRequest,
    latencyMs: { p50, p99: p50, mean: p50, samples: 100 },
  } as PriceRun;
}

describe('the price of security from the rounds', () => {
  it('pairs each secured run and each gateway-b run with the gateway run next to it in its block', () => {
    // Positions: gateway, gateway-b, gateway-b, gateway, then gateway, secured, secured, gateway.
    const runs = [
      ...[1.0, 1.02, 0.99, 1.1, 1.0, 1.05, 1.2, 1.1].map((cpu, position) =>
        priceRun(1, position, cpu, 100 + position),
      ),
      ...[2.0, 2.0, 2.1, 2.0, 2.0, 2.2, 2.0, 2.0].map((cpu, position) =>
        priceRun(2, position, cpu, 200 - position),
      ),
    ];
    const [price] = pricesOf(runs, () => 10);
    expect(price).toBeDefined();
    if (!price) return;
    expect(price.pairs).toBe(4);
    // secured/gateway: 1.05/1.0, 1.2/1.1, 2.2/2.0, 2.0/2.0
    expect(price.price?.cpuPerRequest?.pairs).toEqual([
      1.05,
      expect.closeTo(1.2 / 1.1, 10),
      expect.closeTo(1.1, 10),
      1,
    ]);
    expect(price.price?.cpuPerRequest?.median).toBeCloseTo((1.05 + 1.2 / 1.1) / 2, 10);
    expect(price.price?.cpuPerRequest?.min).toBe(1);
    expect(price.price?.cpuPerRequest?.max).toBeCloseTo(1.1, 10);
    // gateway-b/gateway: 1.02/1.0, 0.99/1.1, 2.0/2.0, 2.1/2.0
    expect(price.control.cpuPerRequest?.pairs).toEqual([
      expect.closeTo(1.02, 10),
      expect.closeTo(0.9, 10),
      1,
      expect.closeTo(1.05, 10),
    ]);
    // p50: secured − gateway = 105 − 104, 106 − 107, 195 − 196, 194 − 193
    expect(price.price?.p50DeltaMs.pairs).toEqual([1, -1, -1, 1]);
    expect(price.price?.p50DeltaMs.median).toBe(0);
    // gateway-b − gateway = 101 − 100, 102 − 103, 199 − 200, 198 − 197
    expect(price.control.p50DeltaMs.pairs).toEqual([1, -1, -1, 1]);
    // A median of 4 pairs: the farthest control pair (0.9, 0.1 off) over √4, since the control's
    // own median (1.01) is closer; p50: 1 ms over √4.
    expect(price.noise.cpuPerRequest).toBeCloseTo(0.05, 10);
    expect(price.noise.p50DeltaMs).toBe(0.5);
    // A walk of 10 GraphQL requests may cost 10 × 0.3 ms.
    expect(price.targets.p50DeltaMs).toBeCloseTo(3, 10);
    // 1.070 + 0.05 > 1.10 and 1.070 − 0.05 ≤ 1.10; 0 + 0.5 ≤ 3.
    expect(price.verdict).toEqual({ cpuPerRequest: 'within noise', p50: 'met' });
  });

  it('keeps scenarios apart and skips pairs whose gateway CPU could not be read', () => {
    const runs = [
      // The gateway's CPU is unreadable at position 4, the first run of security's block.
      ...[1, 1, 1, 1, 0, 1, 1, 1].map((cpu, position) => priceRun(1, position, cpu, 1, 'page50')),
      ...[1, 1, 1, 1, 1, 1, 1, 1].map((cpu, position) => priceRun(1, position, cpu, 1)),
    ];
    const prices = pricesOf(runs, () => 1);
    expect(prices.map((price) => price.scenario)).toEqual(['page50', 'walk1000']);
    expect(prices[0]?.price?.cpuPerRequest?.pairs).toEqual([1]);
    expect(prices[0]?.pairs).toBe(2);
  });

  it('prices several configurations in one round, each in a block of its own after the control', () => {
    const sequence = priceRoundFor(['metrics', 'logs']);
    expect(sequence).toEqual([
      'gateway',
      'gateway-b',
      'gateway-b',
      'gateway',
      'gateway',
      'metrics',
      'metrics',
      'gateway',
      'gateway',
      'logs',
      'logs',
      'gateway',
    ]);
    const cpu = [1.0, 1.01, 1.0, 1.0, 1.0, 1.02, 1.04, 1.0, 1.0, 1.1, 1.3, 1.2];
    const runs = cpu.map((value, position) =>
      priceRun(1, position, value, 10 + position, 'page50', sequence),
    );
    const prices = pricesOf(runs, () => 1);
    expect(prices.map((price) => price.configuration)).toEqual(['metrics', 'logs']);
    const [metrics, logs] = prices as [BenchPrice, BenchPrice];
    // metrics: 1.02/1.0 (positions 4, 5) and 1.04/1.0 (7, 6); logs: 1.1/1.0 (8, 9), 1.3/1.2 (11, 10).
    expect(metrics.price?.cpuPerRequest?.pairs).toEqual([1.02, 1.04]);
    expect(logs.price?.cpuPerRequest?.pairs).toEqual([
      expect.closeTo(1.1, 10),
      expect.closeTo(1.3 / 1.2, 10),
    ]);
    // The control is shared: gateway-b against the gateway of its own block.
    expect(metrics.control.cpuPerRequest?.pairs).toEqual([1.01, 1]);
    expect(logs.control).toEqual(metrics.control);
    // No p50 target for them: reported only.
    expect(metrics.targets).toEqual({ cpuPerRequest: 1.05, p50DeltaMs: null });
    expect(metrics.verdict.p50).toBeNull();
    expect(metrics.verdict.cpuPerRequest).toEqual(expect.any(String));
  });

  it('gives no price for a configuration nothing shows was on', () => {
    const sequence = priceRoundFor(['tracing']);
    const runs = sequence.map((_, position) => priceRun(1, position, 1, 10, 'page50', sequence));
    const [price] = pricesOf(runs, () => 1) as [BenchPrice];
    const none = { what: 'spans received', count: 0, requests: 500, perRequest: 0 };
    expect(withEvidence(price, none, 'no spans received')).toMatchObject({
      price: null,
      verdict: { cpuPerRequest: null, p50: null },
      notMeasured: 'no spans received',
      control: price.control,
    });
    const some = { ...none, count: 1500, perRequest: 3 };
    expect(withEvidence(price, some, 'no spans received')).toEqual({ ...price, evidence: some });
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

describe('parseBenchArgs', () => {
  it('reads what to price and where', () => {
    expect(parseBenchArgs([])).toMatchObject({
      durationS: 3,
      warmupS: 1,
      firstWarmupS: 3,
      priceWarmupS: 2,
      priceRounds: 1,
      prices: ['security', 'metrics', 'tracing', 'sampled-tracing', 'logs', 'production'],
      priceCells: 'default',
    });
    expect(
      parseBenchArgs([
        '--prices',
        'logs,metrics',
        '--price-cells',
        '1@20,3@0',
        '--price-rounds',
        '6',
      ]),
    ).toMatchObject({
      priceRounds: 6,
      // In the rounds' order, whatever the order asked.
      prices: ['metrics', 'logs'],
      priceCells: [
        { scenario: 1, latencyMs: 20 },
        { scenario: 3, latencyMs: 0 },
      ],
    });
    expect(parseBenchArgs(['--price-cells', 'all']).priceCells).toBe('all');
    expect(parseBenchArgs([]).scale).toEqual(['pages', 'entities', 'replicas']);
    expect(parseBenchArgs(['--scale', 'none']).scale).toEqual([]);
    expect(parseBenchArgs(['--scale', 'replicas,pages']).scale).toEqual(['pages', 'replicas']);
    expect(() => parseBenchArgs(['--scale', 'pages,users'])).toThrow(
      '--scale takes none, all or a list of pages, entities, replicas (got "users")',
    );
    // --smoke is the older name of --quick.
    const quick = { quick: true, durationS: 1, warmupS: 0.5, latencies: [0], priceDurationS: 0.5 };
    expect(parseBenchArgs(['--quick'])).toMatchObject(quick);
    expect(parseBenchArgs(['--smoke'])).toMatchObject(quick);
    expect(parseBenchArgs([]).quick).toBe(false);
    expect(() => parseBenchArgs(['--prices', 'metrics,cache'])).toThrow(
      '--prices takes security, metrics, tracing, sampled-tracing, logs, production (got "cache")',
    );
    expect(() => parseBenchArgs(['--price-cells', '1'])).toThrow('--price-cells takes');
  });
});
