/**
 * The whole benchmark: for each upstream latency, a simulator, a floor and a
 * gateway, each in its own process; for each scenario, a check that all three
 * contestants return the same data, then per contestant a warm-up and a
 * measured run. Optionally, a CPU profile of the gateway under scenario 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DEMO_CREDENTIALS } from '../src/simulator';
import type { ProfileSummary } from './analyzeProfile';
import { analyzeProfile } from './analyzeProfile';
import { buildGateway } from './buildGateway';
import { checkSameData } from './checkSameData';
import type { FloorOptions } from './floor';
import type { ContestantId, Target } from './loadPlans';
import { CONTESTANTS, loadPlanFor } from './loadPlans';
import type { RunMeasurement, RunSettings } from './measureRun';
import { measureRun } from './measureRun';
import type { Scenario, ScenarioId } from './scenarios';
import { OPERATIONS, SCENARIOS } from './scenarios';
import type { Child } from './startChild';
import { freePort, REPO_ROOT, startChild } from './startChild';

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
  /** Also profile the gateway (`--cpu-prof`) under scenario 1 at 0 ms. */
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

export interface BenchProfile {
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
  profile?: BenchProfile;
  /** Anything that makes a number less trustworthy (errors, upstream failures). */
  warnings: string[];
}

/** The simulator's data is anchored here, so that every run serves the same events. */
const DATA_ANCHOR = Date.UTC(2026, 0, 1);
const PROFILE_DIRECTORY = path.join(REPO_ROOT, 'bench/.out/profile');

export async function runBenchmarks(options: BenchOptions): Promise<BenchReport> {
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
      `upstream latency ${latency} ms: starting the simulator, the floor and the gateway`,
    );
    const stack = await startStack(options, gatewayEntry, latency, false);
    try {
      for (const scenario of options.scenarios) {
        const data = await checkSameData(scenario, stack.targets);
        for (const contestant of CONTESTANTS) {
          const plan = loadPlanFor(scenario, stack.targets[contestant], {
            ids: data.ids,
            starts: data.starts[contestant],
          });
          const perUnit = httpRequestsPerUnit.get(scenario.id) ?? {
            direct: 1,
            floor: 1,
            gateway: 1,
          };
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

  let profile: BenchProfile | undefined;
  if (options.profile) profile = await profileGateway(options, gatewayEntry, settings);

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
    },
    scenarios: options.scenarios.map((scenario) => ({
      id: scenario.id,
      number: scenario.number,
      title: scenario.title,
      unit: scenario.unit,
      httpRequestsPerUnit: httpRequestsPerUnit.get(scenario.id) ?? {
        direct: 1,
        floor: 1,
        gateway: 1,
      },
    })),
    results,
    ratios: ratiosOf(results),
    ...(profile ? { profile } : {}),
    warnings,
  };
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
 * A simulator at `latency`, then the floor and the gateway against it. The
 * gateway runs compiled, as `npm start` runs it.
 */
async function startStack(
  options: BenchOptions,
  gatewayEntry: string,
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
    const port = await freePort();
    const [floorStarted, gatewayStarted] = await Promise.allSettled([
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
      startChild({
        name: 'gateway',
        entry: gatewayEntry,
        nodeFlags: [
          '--enable-source-maps',
          ...(profile
            ? [
                '--cpu-prof',
                `--cpu-prof-dir=${PROFILE_DIRECTORY}`,
                '--cpu-prof-name=gateway.cpuprofile',
              ]
            : []),
        ],
        // Production configuration against the simulator; only warnings are logged.
        // The bare gateway: no caller authentication and limits out of the way
        // (pricing JWT, limits and the rest is the performance issue's).
        env: {
          NODE_ENV: 'production',
          AUTH_MODE: 'none',
          RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
          RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
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
      }),
    ]);
    for (const started of [floorStarted, gatewayStarted]) {
      if (started.status === 'fulfilled') children.push(started.value);
    }
    if (floorStarted.status === 'rejected') throw floorStarted.reason;
    if (gatewayStarted.status === 'rejected') throw gatewayStarted.reason;
    const floor = floorStarted.value;
    const gateway = gatewayStarted.value;
    const token = await fetchToken(simulator.url);
    const pidOf: Record<ContestantId, number | undefined> = {
      direct: undefined,
      floor: floor.pid,
      gateway: gateway.pid,
    };
    return {
      targets: {
        direct: { contestant: 'direct', url: simulator.url, token },
        floor: { contestant: 'floor', url: floor.url },
        gateway: { contestant: 'gateway', url: gateway.url },
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
 * Scenario 1 at 0 ms against a gateway started with `--cpu-prof`. Only the
 * samples of the measured run are counted: V8 stamps samples with the same
 * monotonic clock as `process.hrtime`, so the run's window can be cut out.
 */
async function profileGateway(
  options: BenchOptions,
  gatewayEntry: string,
  settings: RunSettings,
): Promise<BenchProfile> {
  const scenario = SCENARIOS[0] as Scenario;
  options.log(`profiling the gateway: scenario ${scenario.number} at 0 ms upstream latency`);
  rmSync(PROFILE_DIRECTORY, { recursive: true, force: true });
  mkdirSync(PROFILE_DIRECTORY, { recursive: true });
  const stack = await startStack(options, gatewayEntry, 0, true);
  let run: RunMeasurement;
  let window: { startUs: number; endUs: number };
  try {
    const data = await checkSameData(scenario, stack.targets);
    const plan = loadPlanFor(scenario, stack.targets.gateway, {
      ids: data.ids,
      starts: data.starts.gateway,
    });
    const processes = stack.processesOf('gateway');
    if (options.warmupS > 0)
      await measureRun(plan, { ...settings, durationS: options.warmupS }, processes);
    const startUs = Number(process.hrtime.bigint() / 1000n);
    run = await measureRun(plan, settings, processes);
    window = { startUs, endUs: Number(process.hrtime.bigint() / 1000n) };
  } finally {
    await stack.stop();
  }
  const file = readdirSync(PROFILE_DIRECTORY).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`The gateway wrote no .cpuprofile to ${PROFILE_DIRECTORY}`);
  const profilePath = path.join(PROFILE_DIRECTORY, file);
  const { summary, windowed } = analyzeProfile(profilePath, {
    rootDirectory: REPO_ROOT,
    compiledDirectory: path.resolve(REPO_ROOT, path.dirname(gatewayEntry)),
    window,
  });
  return {
    scenario: scenario.id,
    upstreamLatencyMs: 0,
    durationS: settings.durationS,
    file: path.relative(REPO_ROOT, profilePath),
    window: windowed ? 'measured-run' : 'whole-process',
    windowUs: window,
    run,
    summary,
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
