/**
 * The whole benchmark: for each upstream latency, a simulator, a floor, a
 * gateway and a secured gateway (the same build with production security on),
 * each in its own process; for each scenario, a check that all four
 * contestants return the same data, then per contestant a warm-up and a
 * measured run. Optionally, CPU profiles of both gateways under scenario 1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DEMO_CREDENTIALS } from '../src/simulator';
import type { ProfileComparison, ProfileSummary } from './analyzeProfile';
import { analyzeProfile, compareProfiles } from './analyzeProfile';
import { buildGateway } from './buildGateway';
import { checkSameData } from './checkSameData';
import type { FloorOptions } from './floor';
import type { ContestantId, Target } from './loadPlans';
import { CONTESTANTS, loadPlanFor } from './loadPlans';
import type { SecuredCaller } from './securedCaller';
import { BENCH_SCOPES, createSecuredCaller } from './securedCaller';
import type { RunMeasurement, RunSettings } from './measureRun';
import { measureRun } from './measureRun';
import type { Scenario, ScenarioId } from './scenarios';
import { OPERATIONS, SCENARIOS } from './scenarios';
import type { Child } from './startChild';
import { freePorts, REPO_ROOT, startChild } from './startChild';

export interface BenchOptions {
  /** Seconds of each measured run. */
  durationS: number;
  /** Seconds of load before each measured run, not measured. */
  warmupS: number;
  connections: number;
  /** The simulator's added latency per upstream call, one full round per value. */
  latencies: readonly number[];
  scenarios: readonly Scenario[];
  seed: number;
  eventCount: number;
  /** Also profile the gateway and the secured gateway (`--cpu-prof`) under scenario 1 at 0 ms. */
  profile: boolean;
  /** The command line that reproduces the run, for the report. */
  command: string;
  log(line: string): void;
}

export interface BenchResult extends RunMeasurement {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  contestant: ContestantId;
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

/**
 * What production security costs: the secured gateway against the bare one,
 * the same build measured in the same run, one right after the other.
 */
export interface BenchSecurityPrice {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  /** Secured CPU ms per request over the gateway's; null when the gateway's was too small to read. */
  cpuPerRequest: number | null;
  /** Secured p50 minus the gateway's, in ms (per walk for walks). */
  p50DeltaMs: number;
  /** The p50 target for this scenario's unit: SECURITY_TARGETS.p50DeltaMs per GraphQL request. */
  p50TargetMs: number;
  /** Whether each figure is within its target (null: not measurable). */
  withinTarget: { cpuPerRequest: boolean | null; p50: boolean };
}

/** The price production security may cost (the callers issue): per GraphQL request. */
export const SECURITY_TARGETS = { cpuPerRequest: 1.1, p50DeltaMs: 0.3 } as const;

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

/** The contestants `--profile` profiles. */
type ProfiledId = 'gateway' | 'secured';
const PROFILED: readonly ProfiledId[] = ['gateway', 'secured'];

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
  gateway: { commit: string; uncommittedChanges: boolean };
  settings: {
    durationS: number;
    warmupS: number;
    connections: number;
    upstreamLatenciesMs: number[];
    seed: number;
    eventCount: number;
    /** What the simulator's data is anchored to. */
    dataAnchor: string;
    /**
     * How the two gateways differ: the security settings of each (no secrets;
     * the JWKS path is a temporary file). Everything else is the same.
     */
    security: Record<'gateway' | 'secured', Record<string, string>>;
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
  securityTargets: typeof SECURITY_TARGETS;
  securityPrices: BenchSecurityPrice[];
  /** The bare gateway's profile (`--profile`). */
  profile?: BenchProfile;
  /** The secured gateway's, under the same load right after it (`--profile`). */
  securedProfile?: BenchProfile;
  /** The two profiles side by side, per request: where the price of security goes. */
  securityProfile?: ProfileComparison;
  /** Anything that makes a number less trustworthy (errors, upstream failures). */
  warnings: string[];
}

/** The simulator's data is anchored here, so that every run serves the same events. */
const DATA_ANCHOR = Date.UTC(2026, 0, 1);
const PROFILE_DIRECTORY = path.join(REPO_ROOT, 'bench/.out/profile');

/**
 * Rate limits, per caller, for both gateways: consumed on every request and
 * every OneLogin call (the limiter always runs), at the highest values
 * loadConfig accepts (1,000,000), which the bench's load never reaches
 * (it makes a few thousand requests a second at most, and far fewer than a
 * million OneLogin calls in an hour). A refusal would show as HTTP 429 errors
 * in the warnings.
 */
const RATE_LIMITS = {
  RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
  RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
};

/** The bare gateway: no caller authentication (every request is a trusted anonymous caller). */
const GATEWAY_SECURITY = { AUTH_MODE: 'none', ...RATE_LIMITS };

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
    ...RATE_LIMITS,
  };
}

export async function runBenchmarks(options: BenchOptions): Promise<BenchReport> {
  // The secured gateway's caller: a key pair, its JWKS in a temporary directory, a token.
  const caller = await createSecuredCaller(tokenLifetimeS(options));
  try {
    return await benchmark(options, caller);
  } finally {
    caller.remove();
  }
}

/**
 * Seconds the secured caller's token must stay valid: two hours, or twice what
 * the run is planned to take if that is longer (long --duration runs).
 */
function tokenLifetimeS(options: BenchOptions): number {
  const perRun = options.warmupS + options.durationS + 1;
  const planned =
    options.latencies.length * options.scenarios.length * CONTESTANTS.length * perRun +
    (options.profile ? 2 * perRun + 60 : 0);
  return Math.max(2 * 3600, Math.ceil(2 * planned));
}

async function benchmark(options: BenchOptions, caller: SecuredCaller): Promise<BenchReport> {
  const results: BenchResult[] = [];
  const warnings: string[] = [];
  const loadAtStart = os.loadavg()[0] ?? 0;
  if (loadAtStart > 1) {
    warnings.push(
      `the machine was busy before the run (load average ${loadAtStart.toFixed(2)}): other processes share the CPU`,
    );
  }
  const httpRequestsPerUnit = new Map<ScenarioId, Record<ContestantId, number>>();
  const settings: RunSettings = { durationS: options.durationS, connections: options.connections };
  options.log('building the gateway (tsconfig.build.json)');
  const gatewayEntry = buildGateway();

  for (const latency of options.latencies) {
    options.log(
      `upstream latency ${latency} ms: starting the simulator, the floor, the gateway and the secured gateway`,
    );
    const stack = await startStack(options, gatewayEntry, caller, latency, false);
    try {
      for (const scenario of options.scenarios) {
        const data = await checkSameData(scenario, stack.targets);
        for (const contestant of CONTESTANTS) {
          const plan = loadPlanFor(scenario, stack.targets[contestant], {
            ids: data.ids,
            starts: data.starts[contestant],
          });
          const perUnit = httpRequestsPerUnit.get(scenario.id) ?? oneRequestEach();
          perUnit[contestant] = plan.stepsPerUnit;
          httpRequestsPerUnit.set(scenario.id, perUnit);
          const processes = stack.processesOf(contestant);
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
      }
    } finally {
      await stack.stop();
    }
  }

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
      connections: options.connections,
      upstreamLatenciesMs: [...options.latencies],
      seed: options.seed,
      eventCount: options.eventCount,
      dataAnchor: new Date(DATA_ANCHOR).toISOString(),
      security: {
        gateway: GATEWAY_SECURITY,
        secured: {
          ...securedSecurity(caller),
          AUTH_JWT_JWKS_URL: 'file:<temporary directory>/jwks.json',
          token: `RS256, scope ${BENCH_SCOPES.join(' ')}, valid ${caller.lifetimeS} s, the same on every request`,
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
    securityTargets: SECURITY_TARGETS,
    securityPrices: securityPricesOf(results, httpRequestsPerUnit),
    ...profiles,
    warnings,
  };
}

function oneRequestEach(): Record<ContestantId, number> {
  return { direct: 1, floor: 1, gateway: 1, secured: 1 };
}

interface Stack {
  targets: Record<ContestantId, Target>;
  processesOf(contestant: ContestantId): {
    contestantPid?: number;
    simulatorPid: number;
    simulatorURL: string;
  };
  stop(): Promise<void>;
}

/**
 * A simulator at `latency`, then the floor, the gateway and the secured
 * gateway against it. Both gateways run the same compiled build, as `npm start`
 * runs it; only their security settings differ.
 */
async function startStack(
  options: BenchOptions,
  gatewayEntry: string,
  caller: SecuredCaller,
  latency: number,
  profile: boolean,
): Promise<Stack> {
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
    const ports = await freePorts(2);
    const gatewayChild = (
      name: 'gateway' | 'secured',
      port: number,
      security: Record<string, string>,
    ): Promise<Child> =>
      startChild({
        name,
        entry: gatewayEntry,
        nodeFlags: [
          '--enable-source-maps',
          ...(profile
            ? [
                '--cpu-prof',
                `--cpu-prof-dir=${PROFILE_DIRECTORY}`,
                `--cpu-prof-name=${name}.cpuprofile`,
              ]
            : []),
        ],
        // Production configuration against the simulator; only warnings are logged.
        env: {
          NODE_ENV: 'production',
          ...security,
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          ONELOGIN_BASE_URL: simulator.url,
          ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
          ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
          ONELOGIN_API_KEY: DEMO_CREDENTIALS.apiKey,
          ONELOGIN_LEGACY_BASE_URL: simulator.url,
        },
        ready: {
          kind: 'http',
          healthURL: `http://127.0.0.1:${port}/healthz`,
          url: `http://127.0.0.1:${port}/graphql`,
        },
      });
    const started = await Promise.allSettled([
      startChild({
        name: 'floor',
        entry: 'bench/floorProcess.ts',
        args: [
          JSON.stringify({
            upstream: simulator.url,
            clientId: DEMO_CREDENTIALS.clientId,
            clientSecret: DEMO_CREDENTIALS.clientSecret,
            operations: Object.values(OPERATIONS),
          } satisfies FloorOptions),
        ],
        ready: { kind: 'ipc' },
      }),
      gatewayChild('gateway', ports[0] as number, GATEWAY_SECURITY),
      gatewayChild('secured', ports[1] as number, securedSecurity(caller)),
    ]);
    for (const outcome of started) {
      if (outcome.status === 'fulfilled') children.push(outcome.value);
    }
    for (const outcome of started) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
    const [floor, gateway, secured] = children.slice(1) as [Child, Child, Child];
    await expectSecured(secured.url);
    const token = await fetchToken(simulator.url);
    const pidOf: Record<ContestantId, number | undefined> = {
      direct: undefined,
      floor: floor.pid,
      gateway: gateway.pid,
      secured: secured.pid,
    };
    return {
      targets: {
        direct: { contestant: 'direct', url: simulator.url, token },
        floor: { contestant: 'floor', url: floor.url },
        gateway: { contestant: 'gateway', url: gateway.url },
        secured: { contestant: 'secured', url: secured.url, bearer: caller.token },
      },
      processesOf: (contestant) => ({
        ...(pidOf[contestant] !== undefined ? { contestantPid: pidOf[contestant] } : {}),
        simulatorPid: simulator.pid,
        simulatorURL: simulator.url,
      }),
      stop: () => stopAll(children),
    };
  } catch (error) {
    await stopAll(children);
    throw error;
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
 * one's run first, then the secured one's. Only the samples of each measured
 * run are counted: V8 stamps samples with the same monotonic clock as
 * `process.hrtime`, so each run's window can be cut out of its profile. The
 * two profiles, per request, say where production security's price goes.
 */
async function profileGateways(
  options: BenchOptions,
  gatewayEntry: string,
  caller: SecuredCaller,
  settings: RunSettings,
): Promise<Pick<BenchReport, 'profile' | 'securedProfile' | 'securityProfile'>> {
  const scenario = SCENARIOS[0] as Scenario;
  options.log(
    `profiling the gateway and the secured gateway: scenario ${scenario.number} at 0 ms upstream latency`,
  );
  rmSync(PROFILE_DIRECTORY, { recursive: true, force: true });
  mkdirSync(PROFILE_DIRECTORY, { recursive: true });
  const stack = await startStack(options, gatewayEntry, caller, 0, true);
  const measured: Partial<
    Record<ProfiledId, { run: RunMeasurement; window: { startUs: number; endUs: number } }>
  > = {};
  try {
    const data = await checkSameData(scenario, stack.targets);
    for (const contestant of PROFILED) {
      const plan = loadPlanFor(scenario, stack.targets[contestant], {
        ids: data.ids,
        starts: data.starts[contestant],
      });
      const processes = stack.processesOf(contestant);
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
  const profiles = {} as Record<ProfiledId, BenchProfile>;
  const everything = {} as Record<ProfiledId, ProfileSummary>;
  for (const contestant of PROFILED) {
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
  return {
    profile: profiles.gateway,
    securedProfile: profiles.secured,
    securityProfile: compareProfiles(
      { summary: everything.gateway, requests: profiles.gateway.run.httpRequestsSent },
      { summary: everything.secured, requests: profiles.secured.run.httpRequestsSent },
      {
        focus: (location) => Object.values(SECURITY_AREAS).some((inArea) => inArea(location)),
      },
    ),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The commit the gateway was built from, and whether src/ or schema/ differed from it. */
function gatewayRevision(): BenchReport['gateway'] {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain', '--', 'src', 'schema') !== '',
    };
  } catch {
    return { commit: 'unknown', uncommittedChanges: true };
  }
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

/** The secured gateway against the bare one, for each scenario and latency both ran. */
function securityPricesOf(
  results: readonly BenchResult[],
  httpRequestsPerUnit: ReadonlyMap<ScenarioId, Record<ContestantId, number>>,
): BenchSecurityPrice[] {
  const prices: BenchSecurityPrice[] = [];
  for (const secured of results.filter((result) => result.contestant === 'secured')) {
    const gateway = results.find(
      (result) =>
        result.contestant === 'gateway' &&
        result.scenario === secured.scenario &&
        result.upstreamLatencyMs === secured.upstreamLatencyMs,
    );
    if (!gateway) continue;
    const cpuPerRequest = gateway.cpuMsPerRequest
      ? (secured.cpuMsPerRequest ?? 0) / gateway.cpuMsPerRequest
      : null;
    const p50DeltaMs = secured.latencyMs.p50 - gateway.latencyMs.p50;
    // A walk's p50 covers each of its GraphQL requests, each of which pays for security.
    const p50TargetMs =
      SECURITY_TARGETS.p50DeltaMs * (httpRequestsPerUnit.get(secured.scenario)?.secured ?? 1);
    prices.push({
      scenario: secured.scenario,
      upstreamLatencyMs: secured.upstreamLatencyMs,
      cpuPerRequest,
      p50DeltaMs,
      p50TargetMs,
      withinTarget: {
        cpuPerRequest:
          cpuPerRequest === null ? null : cpuPerRequest <= SECURITY_TARGETS.cpuPerRequest,
        p50: p50DeltaMs <= p50TargetMs,
      },
    });
  }
  return prices;
}

function warningsOf(result: BenchResult): string[] {
  const where = `scenario ${result.scenario} at ${result.upstreamLatencyMs} ms, ${result.contestant}`;
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
