/**
 * A smoke test of `npm run bench:live`: `--quick` runs each of the three
 * measurements for a few seconds (the gateway from its build and the
 * simulator in their own processes, subscribers over real WebSockets) and
 * writes its reports. It asserts their shape, never timings.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';

import { latencyFigures } from '../../bench/runLiveBench';
import type { LiveBenchReport } from '../../bench/runLiveBench';
import { LIVE, updateLiveMarkdown } from '../../bench/renderLiveReport';

const ROOT = path.resolve(__dirname, '../..');
const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-live-smoke-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** About 30 s on a quiet 2-core machine, 60 to 90 s in the suite (three workers); room for a busy one. */
const SMOKE_TIMEOUT_MS = 210_000;

describe('npm run bench:live', () => {
  it(
    'measures latency, memory per idle subscriber and upstream calls by subscribers, and writes the JSON and the Markdown section',
    async () => {
      const jsonPath = path.join(directory, 'benchmarks-live.json');
      const markdownPath = path.join(directory, 'BENCHMARKS.md');
      // An existing file: the section is appended, the rest kept.
      writeFileSync(markdownPath, '# Benchmarks\n\nKept by hand.\n');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/live.ts',
          '--quick',
          '--out',
          jsonPath,
          '--markdown',
          markdownPath,
        ],
        { cwd: ROOT, timeout: SMOKE_TIMEOUT_MS - 10_000 },
      );
      expect(stdout).toContain(`Wrote ${jsonPath} and ${markdownPath}`);

      const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as LiveBenchReport;
      const figures = {
        p50: expect.any(Number),
        p90: expect.any(Number),
        p99: expect.any(Number),
        max: expect.any(Number),
        min: expect.any(Number),
        mean: expect.any(Number),
        count: expect.any(Number),
      };
      expect(report).toMatchObject({
        version: 1,
        quick: true,
        command: expect.stringContaining('npm run bench:live -- --quick'),
        machine: {
          cores: expect.any(Number),
          node: process.version,
          loadAverage: { start: expect.any(Array), end: expect.any(Array) },
        },
        gateway: { commit: expect.any(String) },
      });

      // 1. Latency: every event reached the subscriber, with its figures.
      expect(report.latency).toEqual([
        {
          pollIntervalSeconds: 1,
          defaultInterval: false,
          subscribers: 1,
          events: 10,
          eventsPerSecond: expect.any(Number),
          deliveries: 10,
          missed: 0,
          latencyMs: { ...figures, count: 10 },
        },
      ]);
      const latency = report.latency[0]?.latencyMs;
      expect(latency?.min).toBeGreaterThan(0);
      expect(latency?.p50).toBeLessThanOrEqual(latency?.p99 ?? 0);

      // 2. Memory: two readings and the difference per subscriber.
      const round = {
        idle: { subscribers: 0, rssMB: expect.any(Number), heapUsedMB: expect.any(Number) },
        loaded: { subscribers: 50, rssMB: expect.any(Number), heapUsedMB: expect.any(Number) },
        perSubscriberKB: { rss: expect.any(Number), heapUsed: expect.any(Number) },
      };
      expect(report.memory).toEqual({
        pollIntervalSeconds: 10,
        settleS: expect.any(Number),
        subscribers: 50,
        ...round,
        rounds: [round],
      });
      expect(report.memory.idle.rssMB).toBeGreaterThan(0);
      expect(report.memory.idle.heapUsedMB).toBeGreaterThan(0);

      // 3. Upstream calls: none without a subscriber, polls and calls with them.
      const [single, ...replicated] = report.upstreamCalls;
      expect(single).toMatchObject({ replicas: 1, redis: false, pollIntervalSeconds: 0.5 });
      expect(single?.steps.map((step) => step.subscribers)).toEqual([0, 1, 10, 50]);
      const [none, ...some] = single?.steps ?? [];
      expect(none).toMatchObject({
        subscribers: 0,
        polls: 0,
        pollingReplicas: 0,
        totalCalls: 0,
        events: 0,
      });
      for (const step of some) {
        expect(step).toMatchObject({
          windowS: expect.any(Number),
          callsPerPoll: expect.any(Number),
          callsPerHourAtDefault: expect.any(Number),
          missed: 0,
          latencyMs: figures,
        });
        expect(step.polls).toBeGreaterThan(0);
        expect(step.pollingReplicas).toBe(1);
        expect(step.calls['GET /api/1/events']).toBeGreaterThan(0);
        expect(step.events).toBeGreaterThan(0);
        expect(step.deliveries).toBe(step.events * step.subscribers);
      }
      if (process.env['REDIS_URL']) {
        expect(replicated).toEqual([expect.objectContaining({ replicas: 2, redis: true })]);
        // One poller for the cluster, whatever the number of subscribers.
        for (const step of replicated[0]?.steps.slice(1) ?? []) {
          expect(step.pollingReplicas).toBe(1);
        }
        expect(report.notes).toEqual([]);
      } else {
        expect(replicated).toEqual([]);
        expect(report.notes).toEqual([expect.stringContaining('REDIS_URL is not set')]);
      }

      const markdown = readFileSync(markdownPath, 'utf8');
      expect(markdown.startsWith('# Benchmarks\n\nKept by hand.\n\n## Live events\n')).toBe(true);
      expect(markdown).toContain(LIVE.start);
      expect(markdown).toContain(LIVE.end);
      expect(markdown).toContain(report.command);
      expect(markdown).toContain('### Delivery latency, OneLogin to subscriber');
      expect(markdown).toMatch(/\| 1 s \| 1 \| 10 at [\d.]+\/s \| \d+ \| \d+ \| \d+ \| \d+ \|/);
      expect(markdown).toMatch(
        /\| 1 \| [\d.]+ → [\d.]+ \| [\d.]+ → [\d.]+ \| -?[\d.]+ \| -?[\d.]+ \|/,
      );
      expect(markdown).toContain('### Upstream calls by number of subscribers');
      expect(markdown).toMatch(/\| 1 \| 0\.5 s \| 0 \| [\d.]+ s \| 0 \| 0 \| 0 \| — \| 0 \|/);
      expect(markdown).toMatch(
        /\| {2}\| {2}\| 50 \| [\d.]+ s \| \d+ \| 1 \| \d+ \| [\d.]+ \| \d+ \|/,
      );

      // A second run rewrites the section in place.
      const again = updateLiveMarkdown(markdown, report);
      expect(again.split(LIVE.start)).toHaveLength(2);
      expect(again).toBe(markdown);
    },
    SMOKE_TIMEOUT_MS,
  );
});

describe('latencyFigures', () => {
  it('gives nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(latencyFigures(values)).toEqual({
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      min: 1,
      mean: 50.5,
      count: 100,
    });
    expect(latencyFigures([7])).toMatchObject({ p50: 7, p99: 7, max: 7 });
    expect(latencyFigures([])).toBeNull();
  });
});
