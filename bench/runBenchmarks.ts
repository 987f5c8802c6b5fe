/**
 * The whole benchmark: for each upstream latency, a simulator, a floor, a
 * gateway, a secured gateway (the same build with production security on), a
 * second bare gateway and, where they are priced, a gateway with metrics on
 * (scraped every second), one with tracing on (exporting to an OTLP sink in
 * this process) and one with access logs on (to a file), each in its own
 * process; for each scenario, a check that all of them return the same data,
 * then per contestant a warm-up and a measured run, then the price rounds:
 * each priced gateway against the bare one and, as the A/A control, the
 * second bare gateway against the first, interleaved (see prices.ts).
 * Optionally, CPU profiles of the bare and the secured gateway under the
 * first scenario measured (scenario 1 by default).
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DEMO_CREDENTIALS } from '../src/simulator';
import type { ProfileComparison, ProfileSummary } from './analyzeProfile';
import { analyzeProfile, compareProfiles } from './analyzeProfile';
import { buildGateway } from './buildGateway';
import type { CheckedData, OtherGateway } from './checkSameData';
import { checkSameData } from './checkSameData';
import { startFloor } from './startFloor';
import type { ContestantId, Target } from './loadPlans';
import { CONTESTANTS, loadPlanFor } from './loadPlans';
import type { SecuredCaller } from './securedCaller';
import { BENCH_SCOPES, createSecuredCaller } from './securedCaller';
import type { RunMeasurement, RunSettings } from './measureRun';
import { measureRun } from './measureRun';
import type { Scenario, ScenarioId } from './scenarios';
import { SCENARIOS } from './scenarios';
import type {
  BenchPrice,
  PriceContestant,
  PricedContestant,
  PriceEvidence,
  PriceId,
  PriceRun,
  PriceTargets,
} from './prices';
import { BLOCK_LENGTH, PRICE_IDS, priceRoundFor, PRICES, pricesOf, withEvidence } from './prices';
import type { Child } from './startChild';
import { freePorts, REPO_ROOT, startChild } from './startChild';
import {
  ANONYMOUS_SECURITY,
  BARE_OBSERVABILITY,
  startGatewayChild,
  UNLIMITED_RATE_LIMITS,
} from './startGatewayChild';
import type { OtlpSink } from './startOtlpSink';
import { startOtlpSink } from './startOtlpSink';
import type { Scraper } from './startScraper';
import { startScraper } from './startScraper';
import { gatewayRevision, type GatewayRevision } from './gatewayRevision';
import type { ScalePart, ScaleReport } from './scale';
import { runScale, scaleOptionsFor } from './scale';
import type { PeerId } from './peers/peerIds';
import type { PeersReport } from './peers/peers';
import {
  measurePeers,
  PEER_DURATION_S,
  PEER_WARMUP_S,
  peersReport,
  startPeers,
} from './peers/peers';

export interface BenchOptions {
  /** Seconds of each measured run. */
  durationS: number;
  /** Seconds of load before each measured run, not measured. */
  warmupS: number;
  /** Seconds of load at four times the connections before the first scenario of each stack. */
  firstWarmupS: number;
  connections: number;
  /** The simulator's added latency per upstream call, one full round per value. */
  latencies: readonly number[];
  scenarios: readonly Scenario[];
  seed: number;
  eventCount: number;
  /** Price rounds per priced scenario and latency (see prices.ts); 0: none. */
  priceRounds: number;
  /** What the rounds price. */
  prices: readonly PriceId[];
  /** Where metrics, tracing and logs are priced (see BenchArgs.priceCells). */
  priceCells: 'default' | 'all' | ReadonlyArray<{ scenario: number; latencyMs: number }>;
  /** Seconds of each measured run of those rounds. */
  priceDurationS: number;
  /** Seconds of load each process of a round gets before its first run in it. */
  priceWarmupS: number;
  /** Also profile the gateway and the secured gateway (`--cpu-prof`) under the first scenario at 0 ms. */
  profile: boolean;
  /** `--quick`: the scale part at its smallest sizes and shortest runs. */
  quick: boolean;
  /** The scale parts to run after the main runs (bench/scale.ts); none: empty. */
  scale: readonly ScalePart[];
  /** The command line that reproduces the run, for the report. */
  command: string;
  /** The peers measured after the contestants (bench/peers/; default none here, all from the CLI). */
  peers?: readonly PeerId[];
  /** Seconds of each peer run and its warm-up (default PEER_DURATION_S, PEER_WARMUP_S). */
  peerDurationS?: number;
  peerWarmupS?: number;
  log(line: string): void;
}

export interface BenchResult extends RunMeasurement {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  contestant: ContestantId | PeerId;
}

export interface BenchRatio {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  /** Gateway requests per second over the floor's. */
  throughput: number;
  /** Gateway CPU ms per request over the floor's; null when the floor's was too small to read. */
  cpuPerRequest: number | null;
  /** Gateway p50 minus the floor's, in ms. */
  p50DeltaMs: number;
}

export type { BenchPrice, PriceRun } from './prices';

/**
 * The code production security runs, for the profiles: each sample with one
 * of these on its stack counts for it, what it calls included.
 */
const SECURITY_AREAS: Readonly<Record<string, (location: string) => boolean>> = {
  'authentication (src/auth/, jose)': (location) =>
    location.startsWith('src/auth/') || location.includes('node_modules/jose/'),
  'rate limits (src/limits/, rate-limiter-flexible)': (location) =>
    location.startsWith('src/limits/') || location.includes('node_modules/rate-limiter-flexible/'),
  'operation limits (src/server/operationLimits.ts, graphql-armor)': (location) =>
    location.startsWith('src/server/operationLimits.ts') ||
    location.includes('node_modules/@escape.tech/graphql-armor'),
};

/** The contestants `--profile` profiles: these two always, then each observability price in `--prices`. */
type ObservabilityId = Exclude<PricedContestant, 'secured'>;
type ProfiledId = 'gateway' | 'secured' | ObservabilityId;

/**
 * The code each observability configuration adds, by frame location: what a
 * profile of its gateway spends there beyond the bare gateway's profile is
 * its price, as far as a profile can attribute it (the garbage it makes is
 * collected as the gateway's, and shown apart).
 */
const OBSERVABILITY_AREAS: Readonly<Record<ObservabilityId, (location: string) => boolean>> = {
  metrics: inMetrics,
  tracing: inTracing,
  'sampled-tracing': inTracing,
  logs: inLogs,
  production: (location) =>
    inMetrics(location) ||
    inTracing(location) ||
    inLogs(location) ||
    Object.values(SECURITY_AREAS).some((inArea) => inArea(location)),
};

function inMetrics(location: string): boolean {
  return (
    location.startsWith('src/observability/Metrics.ts') ||
    /node_modules\/(prom-client|bintrees|tdigest)\//.test(location)
  );
}

function inLogs(location: string): boolean {
  return (
    location.startsWith('src/observability/observeRequest.ts') ||
    location.startsWith('src/logging/') ||
    /node_modules\/(pino|pino-std-serializers|sonic-boom|fast-redact|@pinojs\/redact|quick-format-unescaped|fast-safe-stringify|atomic-sleep|on-exit-leak-free|thread-stream)\//.test(
      location,
    )
  );
}

function inTracing(location: string): boolean {
  return (
    location.startsWith('src/observability/tracing.ts') ||
    /node_modules\/(@opentelemetry|protobufjs|@protobufjs)\//.test(location)
  );
}

/** What a profile attributes to one observability configuration, per request. */
export interface ObservabilityProfile {
  configuration: ObservabilityId;
  file: string;
  run: RunMeasurement;
  /** The profile against the bare gateway's (per request), its own code focused. */
  comparison: ProfileComparison;
  /** µs per request in the configuration's code, its profile's minus the bare one's (self time). */
  ownUs: number;
  /** The garbage collector's µs per request, bare and priced. */
  gcUs: { base: number; other: number };
  /** ownUs over the bare gateway's busy µs per request. */
  share: number;
}

export interface BenchProfile {
  contestant: ProfiledId;
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  durationS: number;
  /** The .cpuprofile, relative to the repository (open it in Chrome DevTools). */
  file: string;
  /** Whether only the measured run's samples were counted (else the whole process life). */
  window: 'measured-run' | 'whole-process';
  /** The measured run on `process.hrtime`'s clock (µs), the profile's own clock. */
  windowUs: { startUs: number; endUs: number };
  run: RunMeasurement;
  summary: ProfileSummary;
}

export interface BenchReport {
  version: 1;
  date: string;
  command: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGB: number;
    node: string;
    platform: string;
    /** 1-minute load average before and after the run: other work on the machine skews numbers. */
    loadAverage: { start: number; end: number };
  };
  /** The gateway code measured. */
  gateway: GatewayRevision;
  settings: {
    durationS: number;
    warmupS: number;
    /** Seconds of load at four times the connections before each stack's first scenario. */
    firstWarmupS?: number;
    connections: number;
    upstreamLatenciesMs: number[];
    /**
     * The price rounds per priced scenario and latency, the seconds of each of
     * their runs, what they price, and each priced cell's round
     * (`page50@20`: gateway-b, gateway, …).
     */
    price: {
      rounds: number;
      durationS: number;
      /** Seconds of load a process gets before its first run of a round (`--price-warmup`). */
      warmupS?: number;
      prices: PriceId[];
      roundByCell: Record<string, PriceContestant[]>;
    };
    seed: number;
    eventCount: number;
    /** What the simulator's data is anchored to. */
    dataAnchor: string;
    /**
     * How the gateways differ: the security and observability settings of
     * each (no secrets; the JWKS path is a temporary file). Everything else
     * is the same; gateway-b, the price rounds' A/A control, is set up as
     * gateway is.
     */
    configurations: Record<'gateway' | PricedContestant, Record<string, string>>;
  };
  scenarios: Array<{
    id: ScenarioId;
    number: number;
    title: string;
    unit: string;
    httpRequestsPerUnit: Record<ContestantId, number>;
  }>;
  results: BenchResult[];
  ratios: BenchRatio[];
  /** Per configuration, per GraphQL request. */
  priceTargets: Record<PriceId, PriceTargets>;
  /**
   * Per configuration, scenario and latency: the median price over the
   * rounds' pairs, and the A/A control's.
   */
  prices: BenchPrice[];
  /** Every measured run of the price rounds, in order. */
  priceRuns: PriceRun[];
  /** The bare gateway's profile (`--profile`). */
  profile?: BenchProfile;
  /** The secured gateway's, under the same load right after it (`--profile`). */
  securedProfile?: BenchProfile;
  /** The two profiles side by side, per request: where the price of security goes. */
  securityProfile?: ProfileComparison;
  /** Each observability price in `--prices`, profiled after them (`--profile`). */
  observabilityProfiles?: ObservabilityProfile[];
  /** How cost grows with the work (`--scale`; bench/scale.ts), with its own warnings. */
  scale?: ScaleReport;
  /** The peers (bench/peers/), when measured: their settings, the mesh spec's fixes, the gateway's ratios to them. */
  peers?: PeersReport;
  /** Anything that makes a number less trustworthy (errors, upstream failures). */
  warnings: string[];
}

/** The simulator's data is anchored here, so that every run serves the same events. */
const DATA_ANCHOR = Date.UTC(2026, 0, 1);
const PROFILE_DIRECTORY = path.join(REPO_ROOT, 'bench/.out/profile');

/** How often the metrics gateway is scraped, as a Prometheus with `scrape_interval: 1s` would. */
const SCRAPE_INTERVAL_MS = 1000;
/** The tracing gateway's batch span processor exports at least this often. */
const TRACE_EXPORT_DELAY_MS = 1000;

/** Each gateway's settings besides the shared ones (see startStack). */
function configurationOf(
  contestant: 'gateway' | PricedContestant,
  caller: SecuredCaller,
  sink: OtlpSink | undefined,
): Record<string, string> {
  switch (contestant) {
    case 'gateway':
      return { ...ANONYMOUS_SECURITY, ...BARE_OBSERVABILITY };
    case 'secured':
      return { ...securedSecurity(caller), ...BARE_OBSERVABILITY };
    case 'metrics':
      return { ...ANONYMOUS_SECURITY, ...BARE_OBSERVABILITY, METRICS_ENABLED: 'true' };
    case 'tracing':
      return {
        ...ANONYMOUS_SECURITY,
        ...BARE_OBSERVABILITY,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink?.endpointFor('tracing') ?? 'http://127.0.0.1:0',
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_BSP_SCHEDULE_DELAY: String(TRACE_EXPORT_DELAY_MS),
      };
    case 'sampled-tracing':
      // The bench sends no traceparent: the root sampler decides, for 1 request in 10.
      return {
        ...ANONYMOUS_SECURITY,
        ...BARE_OBSERVABILITY,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink?.endpointFor('sampled-tracing') ?? 'http://127.0.0.1:0',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_BSP_SCHEDULE_DELAY: String(TRACE_EXPORT_DELAY_MS),
      };
    case 'logs':
      return { ...ANONYMOUS_SECURITY, ...BARE_OBSERVABILITY, LOG_LEVEL: 'info' };
    case 'production':
      // Everything production turns on, at production settings: tracing samples 10 %.
      return {
        ...securedSecurity(caller),
        METRICS_ENABLED: 'true',
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: sink?.endpointFor('production') ?? 'http://127.0.0.1:0',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_BSP_SCHEDULE_DELAY: String(TRACE_EXPORT_DELAY_MS),
      };
  }
}

/**
 * Production security: a bearer JWT checked on every request (RS256 against a
 * JWKS; jose verifies a token once, then it is remembered until it expires),
 * the same rate limits, and the operation limits at their defaults (they are
 * always on, in both gateways).
 */
function securedSecurity(caller: SecuredCaller): Record<string, string> {
  return {
    AUTH_MODE: 'jwt',
    AUTH_JWT_JWKS_URL: caller.jwksURL,
    AUTH_JWT_ISSUER: caller.issuer,
    AUTH_JWT_AUDIENCE: caller.audience,
    ...UNLIMITED_RATE_LIMITS,
  };
}

export async function runBenchmarks(options: BenchOptions): Promise<BenchReport> {
  // The secured gateway's caller: a key pair, its JWKS in a temporary directory, a token.
  const caller = await createSecuredCaller(tokenLifetimeS(options));
  // A build of its own: two benches at once (the test suite runs two) must not rebuild
  // the code under each other's gateways.
  const buildFolder = `run-${process.pid}`;
  try {
    options.log('building the gateway (tsconfig.build.json)');
    return await benchmark(options, caller, buildGateway(buildFolder));
  } finally {
    caller.remove();
    rmSync(path.join(REPO_ROOT, 'bench/.out', buildFolder), { recursive: true, force: true });
  }
}

/**
 * Seconds the secured caller's token must stay valid: two hours, or twice what
 * the run is planned to take if that is longer (long --duration runs).
 */
function tokenLifetimeS(options: BenchOptions): number {
  const perRun = options.warmupS + options.durationS + 1;
  const perRound =
    priceRoundFor(options.prices).length * (options.warmupS + options.priceDurationS + 1);
  const planned =
    options.latencies.length *
      options.scenarios.length *
      ((CONTESTANTS.length + (options.priceRounds > 0 ? 1 + options.prices.length : 0)) * perRun +
        options.priceRounds * perRound) +
    (options.profile ? (2 + options.prices.length) * perRun + 60 : 0);
  return Math.max(2 * 3600, Math.ceil(2 * planned));
}

/**
 * What the rounds price in one scenario at one latency: everything in
 * `--price-cells`, by default scenario 1 at 20 ms where it is measured (a
 * 50-event page from OneLogin, as production serves it), else every cell
 * measured.
 */
function pricesIn(options: BenchOptions, scenario: Scenario, latency: number): PriceId[] {
  if (options.priceRounds === 0) return [];
  const defaults = DEFAULT_PRICE_CELLS.filter(
    (cell) =>
      options.scenarios.some((candidate) => candidate.number === cell.scenario) &&
      options.latencies.includes(cell.latencyMs),
  );
  const cells =
    options.priceCells === 'default'
      ? defaults.length > 0
        ? defaults
        : 'all'
      : options.priceCells;
  const here =
    cells === 'all' ||
    cells.some((cell) => cell.scenario === scenario.number && cell.latencyMs === latency);
  return here ? [...options.prices] : [];
}

const DEFAULT_PRICE_CELLS = [{ scenario: 1, latencyMs: 20 }] as const;

async function benchmark(
  options: BenchOptions,
  caller: SecuredCaller,
  gatewayEntry: string,
): Promise<BenchReport> {
  const results: BenchResult[] = [];
  const priceRuns: PriceRun[] = [];
  const evidence = new Map<string, { evidence: PriceEvidence; missing: string }>();
  const roundByCell: Record<string, PriceContestant[]> = {};
  const warnings: string[] = [];
  const loadAtStart = os.loadavg()[0] ?? 0;
  if (loadAtStart > 1) {
    warnings.push(
      `the machine was busy before the run (load average ${loadAtStart.toFixed(2)}): other processes share the CPU`,
    );
  }
  const httpRequestsPerUnit = new Map<ScenarioId, Record<ContestantId, number>>();
  const settings: RunSettings = { durationS: options.durationS, connections: options.connections };

  const needsSink = options.latencies.some((latency) =>
    options.scenarios.some((scenario) =>
      pricesIn(options, scenario, latency).some(
        (id) => id === 'tracing' || id === 'sampled-tracing' || id === 'production',
      ),
    ),
  );
  const sink = needsSink ? await startOtlpSink() : undefined;
  const peers = options.peers ?? [];
  const peerSettings: RunSettings = {
    durationS: options.peerDurationS ?? PEER_DURATION_S,
    connections: options.connections,
  };
  const peerWarmupS = options.peerWarmupS ?? PEER_WARMUP_S;
  const peerRequestsPerUnit: PeersReport['httpRequestsPerUnit'] = {};
  let peersAddedMs = 0;
  try {
    for (const latency of options.latencies) {
      const priced = new Set(
        options.scenarios.flatMap((scenario) => pricesIn(options, scenario, latency)),
      );
      const withControl = priced.size > 0;
      const extras = PRICE_IDS.flatMap((id) =>
        id !== 'security' && priced.has(id)
          ? [PRICES[id].contestant as Exclude<PricedContestant, 'secured'>]
          : [],
      );
      options.log(
        `upstream latency ${latency} ms: starting the simulator, the floor, the gateway, the secured gateway` +
          (withControl
            ? `, a second bare gateway${extras.map((name) => `, ${name}`).join('')}`
            : ''),
      );
      const stack = await startStack(options, gatewayEntry, caller, latency, false, {
        withControl,
        extras,
        sink,
      });
      const peersStarted = performance.now();
      const peerStack =
        peers.length > 0
          ? await startPeers(
              peers,
              stack.targets.direct.url,
              stack.targets.direct.token ?? '',
            ).catch(async (error: unknown) => {
              await stack.stop();
              throw error;
            })
          : undefined;
      peersAddedMs += performance.now() - peersStarted;
      try {
        // The price rounds restart the gateways they price: the next scenario meets young ones.
        let restarted = true;
        for (const scenario of options.scenarios) {
          const prices = pricesIn(options, scenario, latency);
          const others = stack.others.filter(
            (other) =>
              other.name === 'gateway-b' ||
              prices.some((id) => PRICES[id].contestant === other.name),
          );
          const data = await checkSameData(
            scenario,
            stack.targets,
            prices.length > 0 ? others : [],
          );
          // The stack's processes are young before its first scenario (and the gateways after
          // price rounds): they get a heavier load first, so that the scenario does not measure
          // their warming up.
          const firstLoad: RunSettings | undefined =
            restarted && options.firstWarmupS > 0
              ? { durationS: options.firstWarmupS, connections: 4 * options.connections }
              : undefined;
          restarted = prices.length > 0;
          for (const contestant of CONTESTANTS) {
            const plan = loadPlanFor(scenario, stack.targets[contestant], {
              ids: data.ids,
              starts: data.starts[contestant],
            });
            const perUnit = httpRequestsPerUnit.get(scenario.id) ?? oneRequestEach();
            perUnit[contestant] = plan.stepsPerUnit;
            httpRequestsPerUnit.set(scenario.id, perUnit);
            const processes = stack.processesOf(contestant);
            // direct and the floor are the simulator and plain node:http: nothing to warm.
            if (firstLoad && (contestant === 'gateway' || contestant === 'secured')) {
              await measureRun(plan, firstLoad, processes);
            }
            if (options.warmupS > 0) {
              await measureRun(plan, { ...settings, durationS: options.warmupS }, processes);
            }
            const run = await measureRun(plan, settings, processes);
            const result: BenchResult = {
              scenario: scenario.id,
              upstreamLatencyMs: latency,
              contestant,
              ...run,
            };
            results.push(result);
            warnings.push(...warningsOf(result));
            options.log(
              `  ${scenario.number} ${scenario.id} ${contestant}: ${run.requestsPerSecond.toFixed(1)}/s, ` +
                `p50 ${run.latencyMs.p50.toFixed(2)} ms, p99 ${run.latencyMs.p99.toFixed(2)} ms` +
                (run.cpuMsPerRequest === null ? '' : `, ${run.cpuMsPerRequest.toFixed(3)} CPU ms`),
            );
          }
          if (peerStack) {
            const measuring = performance.now();
            for (const result of await measurePeers({
              stack: peerStack,
              scenario,
              latencyMs: latency,
              direct: stack.targets.direct,
              ids: data.ids,
              settings: peerSettings,
              warmupS: peerWarmupS,
              ...(firstLoad && scenario === options.scenarios[0] ? { firstLoad } : {}),
              processes: stack.processesOf('direct'),
              requestsPerUnit: peerRequestsPerUnit,
              log: options.log,
            })) {
              results.push(result);
              warnings.push(...warningsOf(result));
            }
            peersAddedMs += performance.now() - measuring;
          }
          if (prices.length === 0) continue;
          roundByCell[`${scenario.id}@${latency}`] = priceRoundFor(prices);
          const priced = await priceRounds(options, stack, scenario, data, latency, prices);
          for (const run of priced.runs) {
            priceRuns.push(run);
            warnings.push(...warningsOf(run));
          }
          for (const [id, found] of Object.entries(priced.evidence)) {
            evidence.set(`${id}:${scenario.id}@${latency}`, found);
          }
          warnings.push(...priced.warnings);
        }
      } finally {
        const stopping = performance.now();
        await peerStack?.stop();
        if (peerStack) peersAddedMs += performance.now() - stopping;
        await stack.stop();
      }
    }
  } finally {
    await sink?.close();
  }

  const scale =
    options.scale.length > 0
      ? await runScale(scaleOptionsFor({ ...options, dataAnchor: DATA_ANCHOR }), {
          gatewayEntry,
          gatewaySettings: configurationOf('gateway', caller, undefined),
          fetchToken,
        })
      : undefined;

  const profiles = options.profile
    ? await profileGateways(options, gatewayEntry, caller, settings)
    : {};

  return {
    version: 1,
    date: new Date().toISOString(),
    command: options.command,
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: round(loadAtStart), end: round(os.loadavg()[0] ?? 0) },
    },
    gateway: gatewayRevision(),
    settings: {
      durationS: options.durationS,
      warmupS: options.warmupS,
      firstWarmupS: options.firstWarmupS,
      connections: options.connections,
      upstreamLatenciesMs: [...options.latencies],
      price: {
        rounds: options.priceRounds,
        warmupS: options.priceWarmupS,
        durationS: options.priceDurationS,
        prices: [...options.prices],
        roundByCell,
      },
      seed: options.seed,
      eventCount: options.eventCount,
      dataAnchor: new Date(DATA_ANCHOR).toISOString(),
      configurations: {
        gateway: configurationOf('gateway', caller, sink),
        secured: {
          ...configurationOf('secured', caller, sink),
          AUTH_JWT_JWKS_URL: 'file:<temporary directory>/jwks.json',
          token: `RS256, scope ${BENCH_SCOPES.join(' ')}, valid ${caller.lifetimeS} s, the same on every request`,
        },
        metrics: {
          ...configurationOf('metrics', caller, sink),
          scrape: `GET /metrics every ${SCRAPE_INTERVAL_MS / 1000} s from the bench's process`,
        },
        tracing: {
          ...configurationOf('tracing', caller, sink),
          OTEL_EXPORTER_OTLP_ENDPOINT:
            'http://127.0.0.1:<port>/tracing (an OTLP/HTTP sink in the bench process, answering 200)',
        },
        'sampled-tracing': {
          ...configurationOf('sampled-tracing', caller, sink),
          OTEL_EXPORTER_OTLP_ENDPOINT:
            'http://127.0.0.1:<port>/sampled-tracing (the same sink, counted apart)',
        },
        logs: {
          ...configurationOf('logs', caller, sink),
          stdout: 'a file (bench/.out/logs/)',
        },
        production: {
          ...configurationOf('production', caller, sink),
          AUTH_JWT_JWKS_URL: 'file:<temporary directory>/jwks.json',
          OTEL_EXPORTER_OTLP_ENDPOINT:
            'http://127.0.0.1:<port>/production (the same sink, counted apart)',
          scrape: `GET /metrics every ${SCRAPE_INTERVAL_MS / 1000} s from the bench's process`,
          stdout: 'a file (bench/.out/logs/)',
          token: 'the secured gateway’s',
        },
      },
    },
    scenarios: options.scenarios.map((scenario) => ({
      id: scenario.id,
      number: scenario.number,
      title: scenario.title,
      unit: scenario.unit,
      httpRequestsPerUnit: httpRequestsPerUnit.get(scenario.id) ?? oneRequestEach(),
    })),
    results,
    ratios: ratiosOf(results),
    priceTargets: Object.fromEntries(PRICE_IDS.map((id) => [id, PRICES[id].targets])) as Record<
      PriceId,
      PriceTargets
    >,
    prices: pricesOf(priceRuns, (scenario) => httpRequestsPerUnit.get(scenario)?.gateway ?? 1).map(
      (price) => {
        const found = evidence.get(
          `${price.configuration}:${price.scenario}@${price.upstreamLatencyMs}`,
        );
        return found ? withEvidence(price, found.evidence, found.missing) : price;
      },
    ),
    priceRuns,
    ...profiles,
    ...(scale ? { scale } : {}),
    ...(peers.length > 0
      ? {
          peers: peersReport({
            ids: peers,
            durationS: peerSettings.durationS,
            warmupS: peerWarmupS,
            requestsPerUnit: peerRequestsPerUnit,
            addedS: peersAddedMs / 1000,
            results,
          }),
        }
      : {}),
    warnings,
  };
}

function oneRequestEach(): Record<ContestantId, number> {
  return { direct: 1, floor: 1, gateway: 1, secured: 1 };
}

/** The gateways with metrics on, scraped as Prometheus would. */
type Scraped = 'metrics' | 'production';
const SCRAPED: readonly Scraped[] = ['metrics', 'production'];
/** The gateways with access logs on, written to a file. */
type Logged = 'logs' | 'production';
const LOGGED: readonly Logged[] = ['logs', 'production'];

interface Stack {
  targets: Record<ContestantId, Target>;
  /**
   * The price rounds' other gateways, when started: gateway-b (the A/A
   * control) and the metrics, tracing and logs gateways.
   */
  others: OtherGateway[];
  /** Scrape the metrics and production gateways, when there are. */
  scrapers: Partial<Record<Scraped, Scraper>>;
  /** Where the logs and production gateways' stdout goes, when there are. */
  logFiles: Partial<Record<Logged, string>>;
  sink: OtlpSink | undefined;
  processesOf(contestant: ContestantId | PriceContestant): {
    contestantPid?: number;
    simulatorPid: number;
    simulatorURL: string;
  };
  /**
   * Stops these gateways and starts each again, fresh, on the same port with
   * the same settings (the logs gateway's file is added to, not emptied).
   */
  restart(names: readonly PriceContestant[]): Promise<void>;
  stop(): Promise<void>;
}

const LOG_DIRECTORY = path.join(REPO_ROOT, 'bench/.out/logs');

/**
 * A simulator at `latency`, then the floor, the gateway and the secured
 * gateway against it, with `withControl` a second bare gateway set up as the
 * first, and the `extras` (metrics, tracing, logs). The gateways run the same
 * compiled build, as `npm start` runs it; only their security and
 * observability settings differ (see configurationOf).
 */
async function startStack(
  options: BenchOptions,
  gatewayEntry: string,
  caller: SecuredCaller,
  latency: number,
  profile: boolean,
  priced: {
    withControl: boolean;
    extras: readonly Exclude<PricedContestant, 'secured'>[];
    sink: OtlpSink | undefined;
  } = { withControl: false, extras: [], sink: undefined },
): Promise<Stack> {
  const { withControl, extras, sink } = priced;
  const simulator = await startChild({
    name: 'simulator',
    entry: 'bench/simulatorProcess.ts',
    args: [
      JSON.stringify({
        seed: options.seed,
        eventCount: options.eventCount,
        latencyMs: latency,
        now: DATA_ANCHOR,
      }),
    ],
    ready: { kind: 'ipc' },
  });
  const children: Child[] = [simulator];
  try {
    const ports = await freePorts(3 + extras.length);
    const logFiles: Partial<Record<Logged, string>> = Object.fromEntries(
      LOGGED.filter((name) => extras.includes(name)).map((name) => [
        name,
        path.join(LOG_DIRECTORY, `${name}-${latency}ms.log`),
      ]),
    );
    if (Object.keys(logFiles).length > 0) mkdirSync(LOG_DIRECTORY, { recursive: true });
    const gatewayChild = (
      name: PriceContestant,
      port: number,
      configuration: Record<string, string>,
      restarted = false,
    ): Promise<Child> =>
      startGatewayChild({
        name,
        entry: gatewayEntry,
        port,
        simulatorURL: simulator.url,
        ...((name === 'logs' || name === 'production') && logFiles[name]
          ? { stdoutFile: logFiles[name], appendStdout: restarted }
          : {}),
        nodeFlags: [
          '--enable-source-maps',
          // V8's memory reducer shrinks the heap of a process idle for 8 s, and the
          // next load pays to grow it again: in the price rounds a priced gateway
          // waits ~40 s between its turns, the bare one ~9 s, and that alone made
          // identical gateways differ by 1.3-1.5x in CPU per request. A production
          // replica under steady load never idles that long; every gateway here runs
          // without it, so that each is measured as one under steady load.
          '--no-memory-reducer',
          ...(profile
            ? [
                '--cpu-prof',
                `--cpu-prof-dir=${PROFILE_DIRECTORY}`,
                `--cpu-prof-name=${name}.cpuprofile`,
              ]
            : []),
        ],
        // Production configuration against the simulator.
        env: configuration,
      });
    const portOf: Partial<Record<PriceContestant, number>> = {
      gateway: ports[0] as number,
      secured: ports[1] as number,
      'gateway-b': ports[2] as number,
      ...Object.fromEntries(extras.map((name, index) => [name, ports[3 + index] as number])),
    };
    const configurationFor = (name: PriceContestant) =>
      configurationOf(name === 'gateway-b' ? 'gateway' : name, caller, sink);
    const started = await Promise.allSettled([
      startFloor(simulator.url),
      ...(
        ['gateway', 'secured', ...(withControl ? ['gateway-b' as const] : []), ...extras] as const
      ).map((name) => gatewayChild(name, portOf[name] as number, configurationFor(name))),
    ]);
    for (const outcome of started) {
      if (outcome.status === 'fulfilled') children.push(outcome.value);
    }
    for (const outcome of started) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
    const byName = new Map(children.map((child) => [child.name, child]));
    const child = (name: string) => byName.get(name) as Child;
    const [floor, gateway, secured] = [child('floor'), child('gateway'), child('secured')];
    await expectSecured(secured.url);
    const production = byName.get('production');
    if (production) await expectSecured(production.url);
    // Metrics are on by default: a bare gateway that serves them is not bare.
    for (const bare of [gateway, secured, byName.get('gateway-b')]) {
      if (bare) await expectNoMetrics(bare);
    }
    const token = await fetchToken(simulator.url);
    const pidOf = (contestant: ContestantId | PriceContestant) =>
      contestant === 'direct' ? undefined : byName.get(contestant)?.pid;
    const scrapers: Partial<Record<Scraped, Scraper>> = {};
    for (const name of SCRAPED) {
      const scraped = byName.get(name);
      if (scraped) {
        scrapers[name] = startScraper(
          scraped.url.replace(/\/graphql$/, '/metrics'),
          SCRAPE_INTERVAL_MS,
        );
      }
    }
    const others: OtherGateway[] = (['gateway-b', ...extras] as const).flatMap((name) => {
      const other = byName.get(name);
      if (!other) return [];
      // The production gateway authenticates its callers as the secured one does.
      const bearer = name === 'production' ? { bearer: caller.token } : {};
      return [{ name, target: { contestant: 'gateway' as const, url: other.url, ...bearer } }];
    });
    const everyScraper = () => Object.values(scrapers);
    return {
      targets: {
        direct: { contestant: 'direct', url: simulator.url, token },
        floor: { contestant: 'floor', url: floor.url },
        gateway: { contestant: 'gateway', url: gateway.url },
        secured: { contestant: 'secured', url: secured.url, bearer: caller.token },
      },
      others,
      scrapers,
      logFiles,
      sink,
      processesOf: (contestant) => {
        const pid = pidOf(contestant);
        return {
          ...(pid !== undefined ? { contestantPid: pid } : {}),
          simulatorPid: simulator.pid,
          simulatorURL: simulator.url,
        };
      },
      restart: async (names) => {
        await Promise.all(everyScraper().map((scraper) => scraper.pause()));
        try {
          const leaving = names.map(child);
          await Promise.all(leaving.map((old) => old.stop()));
          const fresh = await Promise.all(
            names.map((name) =>
              gatewayChild(name, portOf[name] as number, configurationFor(name), true),
            ),
          );
          for (const [index, started] of fresh.entries()) {
            children[children.indexOf(leaving[index] as Child)] = started;
            byName.set(started.name, started);
          }
        } finally {
          for (const scraper of everyScraper()) scraper.resume();
        }
      },
      stop: async () => {
        await Promise.all(everyScraper().map((scraper) => scraper.stop()));
        await stopAll(children);
      },
    };
  } catch (error) {
    await stopAll(children);
    throw error;
  }
}

/** A gateway set up with METRICS_ENABLED=false must not answer `/metrics`. */
async function expectNoMetrics(child: Child): Promise<void> {
  const response = await fetch(child.url.replace(/\/graphql$/, '/metrics'));
  await response.body?.cancel();
  if (response.status === 200) {
    throw new Error(`The ${child.name} serves /metrics although METRICS_ENABLED=false`);
  }
}

async function stopAll(children: Child[]): Promise<void> {
  // Contestants first, so that none of them sees its upstream vanish.
  await Promise.all(children.slice(1).map((child) => child.stop()));
  await children[0]?.stop();
}

/** The secured gateway must refuse a request without a token: else it measures an open gateway. */
async function expectSecured(url: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  await response.body?.cancel();
  if (response.status !== 401) {
    throw new Error(
      `The secured gateway answered a request without a token with ${response.status}, not 401`,
    );
  }
}

async function fetchToken(upstream: string): Promise<string> {
  const basic = Buffer.from(
    `${DEMO_CREDENTIALS.clientId}:${DEMO_CREDENTIALS.clientSecret}`,
  ).toString('base64');
  const response = await fetch(`${upstream}/auth/oauth2/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token)
    throw new Error(`No token from the simulator (${response.status})`);
  return body.access_token;
}

/**
 * Scenario 1 at 0 ms against both gateways started with `--cpu-prof`, the bare
 * one's run first, then the secured one's, then one gateway per observability
 * price in `--prices` (metrics scraped, tracing exported to a sink, access logs
 * to a file, as in the rounds). Only the samples of each measured run are
 * counted: V8 stamps samples with the same monotonic clock as `process.hrtime`,
 * so each run's window can be cut out of its profile. Each profile against the
 * bare one, per request, says where a price goes: unlike the rounds' CPU
 * totals, it is not blurred by how two processes differ, but it misses what a
 * configuration costs outside its own code (the garbage it makes, kernel time).
 */
async function profileGateways(
  options: BenchOptions,
  gatewayEntry: string,
  caller: SecuredCaller,
  settings: RunSettings,
): Promise<
  Pick<BenchReport, 'profile' | 'securedProfile' | 'securityProfile' | 'observabilityProfiles'>
> {
  // The first scenario of --scenarios (scenario 1 by default).
  const scenario = options.scenarios[0] ?? (SCENARIOS[0] as Scenario);
  const extras = options.prices.flatMap((id) =>
    id === 'security' ? [] : [PRICES[id].contestant as ObservabilityId],
  );
  const profiled: ProfiledId[] = ['gateway', 'secured', ...extras];
  options.log(
    `profiling ${profiled.join(', ')}: scenario ${scenario.number} at 0 ms upstream latency`,
  );
  rmSync(PROFILE_DIRECTORY, { recursive: true, force: true });
  mkdirSync(PROFILE_DIRECTORY, { recursive: true });
  const tracing = extras.some(
    (id) => id === 'tracing' || id === 'sampled-tracing' || id === 'production',
  );
  const sink = tracing ? await startOtlpSink() : undefined;
  const measured: Partial<
    Record<ProfiledId, { run: RunMeasurement; window: { startUs: number; endUs: number } }>
  > = {};
  try {
    const stack = await startStack(options, gatewayEntry, caller, 0, true, {
      withControl: false,
      extras,
      sink,
    });
    try {
      const others = stack.others.filter((other) => other.name !== 'gateway-b');
      const data = await checkSameData(scenario, stack.targets, others);
      for (const contestant of profiled) {
        const other = others.find((candidate) => candidate.name === contestant);
        const plan = loadPlanFor(
          scenario,
          other ? other.target : stack.targets[contestant as 'gateway' | 'secured'],
          {
            ids: data.ids,
            starts: other
              ? (data.otherStarts[contestant] ?? data.starts.gateway)
              : data.starts[contestant as 'gateway' | 'secured'],
          },
        );
        const processes = stack.processesOf(contestant);
        // Young processes are dearer for their first 10-15 s of load (see --first-warmup).
        if (options.firstWarmupS > 0) {
          await measureRun(
            plan,
            { durationS: options.firstWarmupS, connections: 4 * settings.connections },
            processes,
          );
        }
        if (options.warmupS > 0)
          await measureRun(plan, { ...settings, durationS: options.warmupS }, processes);
        const startUs = Number(process.hrtime.bigint() / 1000n);
        const run = await measureRun(plan, settings, processes);
        measured[contestant] = {
          run,
          window: { startUs, endUs: Number(process.hrtime.bigint() / 1000n) },
        };
      }
    } finally {
      // The profiles are written as the gateways exit.
      await stack.stop();
    }
  } finally {
    await sink?.close();
  }
  const profiles = {} as Record<ProfiledId, BenchProfile>;
  const everything = {} as Record<ProfiledId, ProfileSummary>;
  for (const contestant of profiled) {
    const { run, window } = measured[contestant] as NonNullable<(typeof measured)[ProfiledId]>;
    const profilePath = path.join(PROFILE_DIRECTORY, `${contestant}.cpuprofile`);
    if (!existsSync(profilePath)) {
      throw new Error(
        `The ${contestant} wrote no ${path.basename(profilePath)} to ${PROFILE_DIRECTORY}`,
      );
    }
    const { summary, windowed } = analyzeProfile(profilePath, {
      rootDirectory: REPO_ROOT,
      compiledDirectory: path.resolve(REPO_ROOT, path.dirname(gatewayEntry)),
      window,
      top: Number.POSITIVE_INFINITY,
      areas: SECURITY_AREAS,
    });
    everything[contestant] = summary;
    profiles[contestant] = {
      contestant,
      scenario: scenario.id,
      upstreamLatencyMs: 0,
      durationS: settings.durationS,
      file: path.relative(REPO_ROOT, profilePath),
      window: windowed ? 'measured-run' : 'whole-process',
      windowUs: window,
      run,
      summary: {
        busyMs: summary.busyMs,
        topFunctions: summary.topFunctions.slice(0, 15),
        byPackage: summary.byPackage.slice(0, 12),
        ...(summary.inclusiveByArea ? { inclusiveByArea: summary.inclusiveByArea } : {}),
      },
    };
  }
  const base = { summary: everything.gateway, requests: profiles.gateway.run.httpRequestsSent };
  return {
    profile: profiles.gateway,
    securedProfile: profiles.secured,
    securityProfile: compareProfiles(
      base,
      { summary: everything.secured, requests: profiles.secured.run.httpRequestsSent },
      {
        focus: (location) => Object.values(SECURITY_AREAS).some((inArea) => inArea(location)),
      },
    ),
    observabilityProfiles: extras.map((configuration): ObservabilityProfile => {
      const comparison = compareProfiles(
        base,
        {
          summary: everything[configuration],
          requests: profiles[configuration].run.httpRequestsSent,
        },
        {
          focus: (location) => OBSERVABILITY_AREAS[configuration](location),
          top: 15,
        },
      );
      const ownUs = comparison.focused.reduce((sum, entry) => sum + entry.deltaUs, 0);
      const gc = comparison.byPackage.find((entry) => entry.name === '(garbage collector)');
      return {
        configuration,
        file: profiles[configuration].file,
        run: profiles[configuration].run,
        comparison: { ...comparison, focused: comparison.focused.slice(0, 15) },
        ownUs,
        gcUs: { base: gc?.baseUs ?? 0, other: gc?.otherUs ?? 0 },
        share: comparison.busyUs.base > 0 ? ownUs / comparison.busyUs.base : 0,
      };
    }),
  };
}

/**
 * The price rounds of one scenario at one latency, right after its main runs:
 * `priceRounds` times the round of `prices` (see priceRoundFor), each run of
 * `priceDurationS`. Every run follows at least the normal warm-up's worth of
 * the same load on the same process: its own previous run, else a warm-up run
 * of `warmupS`. A process that has no main runs (gateway-b, metrics, tracing,
 * logs) first gets their load: a warm-up of `warmupS` plus `durationS`.
 * Also returns, for metrics, tracing and logs, what shows each was on:
 * scrapes answered, spans received, access-log lines written, per request
 * its process was sent in these rounds.
 */
async function priceRounds(
  options: BenchOptions,
  stack: Stack,
  scenario: Scenario,
  data: CheckedData,
  latency: number,
  prices: readonly PriceId[],
): Promise<{
  runs: PriceRun[];
  evidence: Partial<Record<PriceId, { evidence: PriceEvidence; missing: string }>>;
  warnings: string[];
}> {
  const targetOf = (contestant: PriceContestant): Target => {
    if (contestant === 'gateway' || contestant === 'secured') return stack.targets[contestant];
    const other = stack.others.find((candidate) => candidate.name === contestant);
    if (!other) throw new Error(`No ${contestant} gateway was started`);
    return other.target;
  };
  const startsOf = (contestant: PriceContestant): ReadonlyArray<string | null> =>
    contestant === 'gateway' || contestant === 'secured'
      ? data.starts[contestant]
      : (data.otherStarts[contestant] ?? data.starts.gateway);
  const settings: RunSettings = {
    durationS: options.priceDurationS,
    connections: options.connections,
  };
  const sequence = priceRoundFor(prices);
  const runs: PriceRun[] = [];
  const sent = new Map<PriceContestant, number>();
  const count = (contestant: PriceContestant, run: RunMeasurement) =>
    sent.set(contestant, (sent.get(contestant) ?? 0) + run.httpRequestsSent);
  for (const scraper of Object.values(stack.scrapers)) scraper.reset();
  stack.sink?.reset();
  const logOffsets = Object.fromEntries(
    Object.entries(stack.logFiles).map(([name, file]) => [name, statSync(file).size]),
  ) as Partial<Record<Logged, number>>;
  const loaded = new Set<PriceContestant>();
  let previous: ContestantId | PriceContestant = 'direct';
  for (let round = 1; round <= options.priceRounds; round += 1) {
    const line: string[] = [];
    for (const [position, contestant] of sequence.entries()) {
      if (position % BLOCK_LENGTH === 0) {
        // Each block on two fresh processes, the bare gateway and the priced one, warmed
        // alike: processes of one build and settings differ persistently by 5-10 % in CPU
        // per request (JIT and inlining decisions, heap layout), and a young one is dearer
        // for its first 10-15 s of load; over fresh pairs with one history both are noise
        // the rounds average out, instead of a bias every pair repeats.
        const pair = [...new Set(sequence.slice(position, position + BLOCK_LENGTH))];
        await stack.restart(pair);
        for (const fresh of pair) loaded.delete(fresh);
        previous = 'direct';
      }
      const plan = loadPlanFor(scenario, targetOf(contestant), {
        ids: data.ids,
        starts: startsOf(contestant),
      });
      const processes = stack.processesOf(contestant);
      const after: PriceRun['after'] =
        contestant === previous
          ? 'own previous run'
          : loaded.has(contestant)
            ? 'warm-up'
            : 'fresh warm-up';
      loaded.add(contestant);
      const warmupS =
        after === 'own previous run'
          ? 0
          : after === 'warm-up'
            ? options.warmupS
            : options.priceWarmupS;
      if (warmupS > 0) {
        count(contestant, await measureRun(plan, { ...settings, durationS: warmupS }, processes));
      }
      const run = await measureRun(plan, settings, processes);
      count(contestant, run);
      previous = contestant;
      runs.push({
        scenario: scenario.id,
        upstreamLatencyMs: latency,
        contestant,
        round,
        position,
        pid: processes.contestantPid ?? null,
        after,
        ...run,
      });
      line.push(
        `${contestant} ${run.cpuMsPerRequest === null ? '—' : run.cpuMsPerRequest.toFixed(3)}/${run.latencyMs.p50.toFixed(2)}`,
      );
    }
    options.log(
      `  ${scenario.number} ${scenario.id} price round ${round}/${options.priceRounds} ` +
        `(CPU ms/req / p50 ms): ${line.join(', ')}`,
    );
  }

  const where = `scenario ${scenario.id} at ${latency} ms`;
  const evidence: Partial<Record<PriceId, { evidence: PriceEvidence; missing: string }>> = {};
  const warnings: string[] = [];
  const requestsOf = (contestant: PricedContestant) => sent.get(contestant) ?? 0;
  const found = (what: string, value: number, contestant: PricedContestant, failures?: number) => {
    const requests = requestsOf(contestant);
    return {
      what,
      count: value,
      requests,
      perRequest: requests > 0 ? value / requests : 0,
      ...(failures !== undefined ? { failures } : {}),
    };
  };
  const scrapers = stack.scrapers;
  if (prices.includes('metrics') && scrapers.metrics) {
    const scrapes = scrapers.metrics.counts();
    evidence.metrics = {
      evidence: found('scrapes answered 200', scrapes.ok, 'metrics', scrapes.failed),
      missing: 'no scrape answered 200',
    };
    if (scrapes.failed > 0) {
      warnings.push(
        `${where}, metrics: ${scrapes.failed} scrapes of /metrics failed (first: ${scrapes.firstFailure ?? '?'})`,
      );
    }
  }
  const traced = (['tracing', 'sampled-tracing'] as const).filter((id) => prices.includes(id));
  if ((traced.length > 0 || prices.includes('production')) && stack.sink) {
    // The last batch leaves the gateway up to one export delay after its last span.
    await new Promise((resolve) => setTimeout(resolve, 2 * TRACE_EXPORT_DELAY_MS + 200));
    for (const id of traced) {
      const { unreadable } = stack.sink.exports(id);
      evidence[id] = {
        evidence: found('spans received', stack.sink.spans(id), id, unreadable),
        missing:
          unreadable > 0 ? 'no spans counted: the exports were not OTLP JSON' : 'no spans received',
      };
    }
  }
  const linesOf = (name: Logged) => {
    const file = stack.logFiles[name];
    return file ? accessLogLines(file, logOffsets[name] ?? 0) : 0;
  };
  if (prices.includes('logs') && stack.logFiles.logs) {
    evidence.logs = {
      evidence: found('access-log lines', linesOf('logs'), 'logs'),
      missing: 'no access-log lines written',
    };
  }
  if (prices.includes('production')) {
    // All three must show: spans received, scrapes answered, access-log lines written.
    const spans = stack.sink?.spans('production') ?? 0;
    const scrapes = scrapers.production?.counts() ?? { ok: 0, failed: 0 };
    const lines = linesOf('production');
    const requests = requestsOf('production');
    evidence.production = {
      evidence: {
        ...found('access-log lines', spans > 0 && scrapes.ok > 0 ? lines : 0, 'production'),
        what:
          `access-log lines per request, ${(requests > 0 ? spans / requests : 0).toFixed(2)} spans ` +
          `per request, ${scrapes.ok} scrapes answered 200`,
      },
      missing:
        spans === 0
          ? 'no spans received'
          : scrapes.ok === 0
            ? 'no scrape answered 200'
            : 'no access-log lines written',
    };
  }
  return { runs, evidence, warnings };
}

/** Access-log lines (`"msg":"request"`) in `file` from byte `offset` on. */
function accessLogLines(file: string, offset: number): number {
  const fd = openSync(file, 'r');
  try {
    let lines = 0;
    let position = offset;
    let carry = '';
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      const text = carry + buffer.toString('utf8', 0, read);
      const cut = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, cut).split('\n')) {
        if (line.includes('"msg":"request"')) lines += 1;
      }
      carry = text.slice(cut);
    }
    return lines;
  } finally {
    closeSync(fd);
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function ratiosOf(results: readonly BenchResult[]): BenchRatio[] {
  const ratios: BenchRatio[] = [];
  for (const gateway of results.filter((result) => result.contestant === 'gateway')) {
    const floor = results.find(
      (result) =>
        result.contestant === 'floor' &&
        result.scenario === gateway.scenario &&
        result.upstreamLatencyMs === gateway.upstreamLatencyMs,
    );
    if (!floor) continue;
    ratios.push({
      scenario: gateway.scenario,
      upstreamLatencyMs: gateway.upstreamLatencyMs,
      throughput: gateway.requestsPerSecond / floor.requestsPerSecond,
      cpuPerRequest: floor.cpuMsPerRequest
        ? (gateway.cpuMsPerRequest ?? 0) / floor.cpuMsPerRequest
        : null,
      p50DeltaMs: gateway.latencyMs.p50 - floor.latencyMs.p50,
    });
  }
  return ratios;
}

function warningsOf(result: BenchResult | PriceRun): string[] {
  const where =
    `scenario ${result.scenario} at ${result.upstreamLatencyMs} ms, ${result.contestant}` +
    ('round' in result ? ` (price round ${result.round}, run ${result.position + 1})` : '');
  const warnings: string[] = [];
  if (result.errors > 0) {
    warnings.push(
      `${where}: ${result.errors} failed requests (first: ${result.firstError ?? 'unknown'})`,
    );
  }
  for (const [route, count] of Object.entries(result.upstreamFailures)) {
    warnings.push(`${where}: the simulator answered ${route} ${count} times`);
  }
  if (result.units === 0) warnings.push(`${where}: no request completed`);
  return warnings;
}
