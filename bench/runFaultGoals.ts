/**
 * Issue 11's fault goals, measured: for each scenario a fresh OneLogin
 * simulator (`npm run simulator`, its own process) and a fresh gateway (the
 * production build and configuration, its own process) against it, a steady
 * load of reads (faultLoad.ts), the fault switched on through the simulator's
 * control API, and the simulator's own counters for the upstream calls.
 */
import os from 'node:os';

import { DEMO_CREDENTIALS } from '../src/simulator';
import type { CounterSnapshot, FaultKind, FaultRates } from '../src/simulator';
import { buildGateway } from './buildGateway';
import type { ReadRecord } from './faultLoad';
import { driveFaultLoad } from './faultLoad';
import type { Child } from './startChild';
import { freePorts, startChild } from './startChild';
import { startGatewayChild } from './startGatewayChild';
import { gatewayRevision, type GatewayRevision } from './gatewayRevision';

export type FaultScenarioId =
  'baseline' | 'errors' | 'hangs' | 'bursts' | 'outage-reset' | 'outage-503';

export type RunMode = 'full' | 'quick' | 'smoke';

/** When OneLogin goes down and comes back, in seconds from the end of the lead-in. */
interface OutagePlan {
  fault: FaultKind;
  healthyS: number;
  downS: number;
  /** Seconds of load after OneLogin's return: long enough to see whether it is back within 10 s. */
  recoveryS: number;
}

export interface FaultScenario {
  id: FaultScenarioId;
  /** What the upstream does, for the tables. */
  faults: string;
  /** Issue 11's goal this scenario measures (1 to 4); the baseline measures none. */
  goal: 1 | 2 | 3 | 4 | null;
  /** Set through `PUT /__simulator/faults` when the lead-in ends. */
  rates?: FaultRates;
  /** Seconds measured, after the lead-in. */
  durationS(mode: RunMode): number;
  outage?(mode: RunMode): OutagePlan;
}

const BY_MODE = (full: number, quick: number, smoke: number) => (mode: RunMode) =>
  mode === 'full' ? full : mode === 'quick' ? quick : smoke;

/**
 * Seconds of fault-free load before each scenario's measured part, not measured: the
 * processes warm, the retry budget and the circuits' windows fill with calls, as in a
 * gateway that has been serving for a while when the fault comes.
 */
export const LEAD_IN_S = BY_MODE(5, 3, 0.5);

const outage =
  (fault: FaultKind) =>
  (mode: RunMode): OutagePlan =>
    mode === 'full'
      ? { fault, healthyS: 3, downS: 10, recoveryS: 12 }
      : mode === 'quick'
        ? { fault, healthyS: 1, downS: 7, recoveryS: 11 }
        : { fault, healthyS: 0.5, downS: 1, recoveryS: 1 };

const outageDuration = (fault: FaultKind) => (mode: RunMode) => {
  const plan = outage(fault)(mode);
  return plan.healthyS + plan.downS + plan.recoveryS;
};

const RESET: FaultKind = { kind: 'drop' };
const UNAVAILABLE: FaultKind = { kind: 'status', status: 503 };

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    id: 'baseline',
    faults: 'none (what a fault-free run costs)',
    goal: null,
    durationS: BY_MODE(15, 5, 1),
  },
  {
    id: 'errors',
    faults: '20 % of calls 500/502/503',
    goal: 1,
    rates: { errorRate: 0.2 },
    durationS: BY_MODE(25, 8, 1),
  },
  {
    id: 'hangs',
    faults: '5 % of calls never answered',
    goal: 2,
    rates: { hangRate: 0.05 },
    durationS: BY_MODE(20, 8, 1),
  },
  {
    id: 'bursts',
    faults: 'every call 429 Retry-After: 1 for 1 s, every 10 s (from 5 s)',
    goal: 3,
    rates: {
      rateLimitBurst: { everyMs: 10_000, forMs: 1_000, retryAfterSeconds: 1, firstAfterMs: 5_000 },
    },
    durationS: BY_MODE(30, 16, 1.5),
  },
  {
    id: 'outage-reset',
    faults: 'OneLogin down: every connection reset',
    goal: 4,
    durationS: outageDuration(RESET),
    outage: outage(RESET),
  },
  {
    id: 'outage-503',
    faults: 'OneLogin down: every call 503 (HTML, from the load balancer)',
    goal: 4,
    durationS: outageDuration(UNAVAILABLE),
    outage: outage(UNAVAILABLE),
  },
];

export interface FaultGoalsOptions {
  mode: RunMode;
  scenarios: readonly FaultScenario[];
  /** Reads started per second (an open loop, see faultLoad.ts). */
  ratePerSecond: number;
  /** The most reads in flight at once. */
  maxInFlight: number;
  /** Added by the simulator to every upstream answer, plus up to `upstreamJitterMs`. */
  upstreamLatencyMs: number;
  upstreamJitterMs: number;
  seed: number;
  /** Set in the gateway's environment on top of GATEWAY_ENV (experiments with other settings). */
  gatewayEnv: Readonly<Record<string, string>>;
  /** The command line that reproduces the run, for the report. */
  command: string;
  log(line: string): void;
}

export interface GoalCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface GoalResult {
  number: 1 | 2 | 3 | 4;
  checks: GoalCheck[];
  pass: boolean;
}

export interface OutageResult {
  /** When the outage started and ended (the control call answered), ms from the load's start. */
  downAtMs: number;
  backAtMs: number;
  /** When `/healthz` first showed both read routes' circuits open (or half-open); null: never. */
  openAtMs: number | null;
  /** Upstream calls and failed reads from `openAtMs` to OneLogin's return. */
  openCalls: number;
  openFailedReads: number;
  /** Over the whole outage, the seconds before the circuits opened included. */
  outageCalls: number;
  outageFailedReads: number;
  /** Seconds from OneLogin's return to the end of the last failed read; null: still failing at the end. */
  recoveryS: number | null;
  /** Reads after that point, and the p50 of their latency. */
  readsAfterRecovery: number;
  p50AfterRecoveryMs: number | null;
}

export interface FaultScenarioResult {
  id: FaultScenarioId;
  faults: string;
  durationS: number;
  reads: number;
  succeeded: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Reads in flight: on average (total read time ÷ duration) and at most. */
  inFlight: { mean: number; peak: number };
  /** Every upstream call the simulator counted during the load (hung and reset ones included). */
  upstreamCalls: number;
  /** The same by answer: `200`, `503`, `429`, `hung`, `dropped`… */
  upstreamByStatus: Record<string, number>;
  /** Failed reads by their first error's code. */
  failures: Record<string, number>;
  outage?: OutageResult;
  goal?: GoalResult;
}

export interface FaultGoalsReport {
  date: string;
  command: string;
  mode: RunMode;
  machine: {
    cpu: string;
    cores: number;
    memoryGB: number;
    node: string;
    platform: string;
    loadAverage: { start: number; end: number };
  };
  gateway: GatewayRevision;
  settings: {
    ratePerSecond: number;
    maxInFlight: number;
    upstreamLatencyMs: number;
    upstreamJitterMs: number;
    seed: number;
    eventCount: number;
    gatewayEnv: Record<string, string>;
    /** What --env added or changed: not the production defaults. */
    gatewayOverrides: Record<string, string>;
    simulatorArgs: string[];
    /** Unmeasured fault-free seconds before each scenario. */
    leadInS: number;
    /** The outages' schedule, seconds after the lead-in. */
    outage: { healthyS: number; downS: number; recoveryS: number };
  };
  results: FaultScenarioResult[];
  /** Seconds the whole run took. */
  elapsedS: number;
}

/** The read routes whose circuits matter (HttpTransport names them so). */
const READ_ROUTES = ['GET /api/1/events', 'GET /api/1/events/:id'] as const;
const MONITOR_EVERY_MS = 200;
const READ_TIMEOUT_MS = 30_000;

/**
 * The gateway's environment besides its port and the simulator's URL: production, no
 * caller authentication (every request is a trusted anonymous caller, as behind a
 * router), and the per-caller rate limits at loadConfig's maximum so that they never
 * refuse this load. Every UPSTREAM_* variable is left at its production default.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  AUTH_MODE: 'none',
  RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
  RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
  LOG_LEVEL: 'warn',
};

export async function runFaultGoals(options: FaultGoalsOptions): Promise<FaultGoalsReport> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  options.log('building the gateway (tsconfig.build.json)');
  const gatewayEntry = buildGateway('faults');
  const longest =
    LEAD_IN_S(options.mode) +
    Math.max(...options.scenarios.map((scenario) => scenario.durationS(options.mode)));
  // Each look-up reads an id no page shows; the rest of the data is for the pages.
  const lookups = Math.ceil((options.ratePerSecond * longest) / 2) + 100;
  const eventCount = Math.max(20_000, lookups + 10_000);
  const simulatorArgs = [
    '--seed',
    String(options.seed),
    '--events',
    String(eventCount),
    '--latency',
    String(options.upstreamLatencyMs),
    '--jitter',
    String(options.upstreamJitterMs),
    // OneLogin's 5,000 calls an hour would be spent within a minute of this load; the
    // account budget is not what these goals are about.
    '--rate-limit',
    '1000000000',
  ];

  const results: FaultScenarioResult[] = [];
  for (const scenario of options.scenarios) {
    options.log(`${scenario.id}: ${scenario.faults}`);
    const result = await runScenario(options, scenario, {
      gatewayEntry,
      simulatorArgs,
      lookups,
    });
    results.push(result);
    options.log(
      `  ${result.reads} reads, ${percent(result.succeeded / Math.max(1, result.reads))} ok, ` +
        `p50 ${result.latencyMs.p50.toFixed(0)} ms, p99 ${result.latencyMs.p99.toFixed(0)} ms, ` +
        `${result.upstreamCalls} upstream calls`,
    );
  }
  const baseline = results.find((result) => result.id === 'baseline');
  for (const result of results) {
    const scenario = options.scenarios.find((candidate) => candidate.id === result.id);
    if (scenario?.goal) result.goal = judge(scenario.goal, result, baseline);
  }

  return {
    date: new Date().toISOString(),
    command: options.command,
    mode: options.mode,
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: round2(loadAtStart), end: round2(os.loadavg()[0] ?? 0) },
    },
    gateway: gatewayRevision(),
    settings: {
      ratePerSecond: options.ratePerSecond,
      maxInFlight: options.maxInFlight,
      upstreamLatencyMs: options.upstreamLatencyMs,
      upstreamJitterMs: options.upstreamJitterMs,
      seed: options.seed,
      eventCount,
      gatewayEnv: { ...GATEWAY_ENV },
      gatewayOverrides: { ...options.gatewayEnv },
      simulatorArgs,
      leadInS: LEAD_IN_S(options.mode),
      outage: (({ healthyS, downS, recoveryS }) => ({ healthyS, downS, recoveryS }))(
        outage(RESET)(options.mode),
      ),
    },
    results,
    elapsedS: (performance.now() - started) / 1000,
  };
}

interface Sample {
  atMs: number;
  upstreamCalls: number;
  /** Read routes whose circuit is open or half-open. */
  openRoutes: number;
}

async function runScenario(
  options: FaultGoalsOptions,
  scenario: FaultScenario,
  setup: { gatewayEntry: string; simulatorArgs: readonly string[]; lookups: number },
): Promise<FaultScenarioResult> {
  const [simulatorPort, gatewayPort] = (await freePorts(2)) as [number, number];
  const simulatorURL = `http://127.0.0.1:${simulatorPort}`;
  const children: Child[] = [];
  try {
    children.push(
      await startChild({
        name: 'simulator',
        entry: 'src/simulator/cli.ts',
        args: ['--port', String(simulatorPort), ...setup.simulatorArgs],
        ready: { kind: 'http', healthURL: `${simulatorURL}/__simulator/health`, url: simulatorURL },
      }),
    );
    const gateway = await startGatewayChild({
      name: 'gateway',
      entry: setup.gatewayEntry,
      port: gatewayPort,
      simulatorURL,
      env: { ...GATEWAY_ENV, ...options.gatewayEnv },
    });
    children.push(gateway);

    const { eventIds, oldestCreatedAt } = await newestEvents(simulatorURL, setup.lookups);
    // Pages end 7 s apart, all before the oldest event looked up: no page shows one.
    const boundary = Math.floor(Date.parse(oldestCreatedAt) / 1000) * 1000;
    const pageUntil = (i: number) => new Date(boundary - (i + 1) * 7_000).toISOString();
    // The token and the event-type catalogue, before any fault and before counting.
    await warmUp(gateway.url, new Date(boundary - 30 * 86_400_000).toISOString());

    const durationMs = scenario.durationS(options.mode) * 1000;
    const startAt = performance.now();
    const origin = startAt + LEAD_IN_S(options.mode) * 1000;
    const stopAt = origin + durationMs;
    // At the lead-in's end: count from zero, and switch the fault on.
    const onset = (async () => {
      await sleepUntil(origin);
      await control(simulatorURL, 'DELETE', '/counters');
      if (scenario.rates) await control(simulatorURL, 'PUT', '/faults', scenario.rates);
    })();
    const samples: Sample[] = [];
    const monitoring = monitor(simulatorURL, gateway.url, origin, stopAt, samples);
    const plan = scenario.outage?.(options.mode);
    const switching = plan ? switchOutage(simulatorURL, plan, origin) : undefined;
    const load = await driveFaultLoad(
      {
        graphqlURL: gateway.url,
        ratePerSecond: options.ratePerSecond,
        maxInFlight: options.maxInFlight,
        eventIds,
        pageUntil,
        readTimeoutMs: READ_TIMEOUT_MS,
      },
      { startAt, origin, stopAt },
    );
    await onset;
    // Only the reads started after the lead-in are measured.
    const records = load.records.filter((record) => record.startMs >= 0);
    const { peakInFlight } = load;
    const outageTimes = await switching;
    await monitoring;
    const counters = (await control(simulatorURL, 'GET', '/counters')) as CounterSnapshot;
    await control(simulatorURL, 'DELETE', '/faults');

    return {
      ...summarise(scenario, records, counters, durationMs, peakInFlight),
      ...(outageTimes ? { outage: outageResult(records, samples, outageTimes) } : {}),
    };
  } finally {
    // The gateway first, so that it never sees its upstream vanish.
    for (const child of children.reverse()) await child.stop();
  }
}

/** The newest `count` event ids, straight from the simulator (before counting starts). */
async function newestEvents(
  simulatorURL: string,
  count: number,
): Promise<{ eventIds: string[]; oldestCreatedAt: string }> {
  const token = await fetchToken(simulatorURL);
  const eventIds: string[] = [];
  let oldestCreatedAt = '';
  let cursor: string | null = null;
  while (eventIds.length < count) {
    const query = new URLSearchParams({
      limit: '50',
      sort: '-created_at',
      fields: 'id,created_at',
    });
    if (cursor) query.set('after_cursor', cursor);
    const response = await fetch(`${simulatorURL}/api/1/events?${query.toString()}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await response.json()) as {
      data?: Array<{ id: number; created_at: string }>;
      pagination?: { after_cursor: string | null };
    };
    if (response.status !== 200 || !page.data) {
      throw new Error(`the simulator answered GET /api/1/events with ${response.status}`);
    }
    for (const event of page.data) {
      eventIds.push(String(event.id));
      oldestCreatedAt = event.created_at;
    }
    cursor = page.pagination?.after_cursor ?? null;
    if (!cursor) break;
  }
  if (eventIds.length < count) {
    throw new Error(`the simulator has ${eventIds.length} events, fewer than the ${count} needed`);
  }
  return { eventIds, oldestCreatedAt };
}

async function fetchToken(simulatorURL: string): Promise<string> {
  const basic = Buffer.from(
    `${DEMO_CREDENTIALS.clientId}:${DEMO_CREDENTIALS.clientSecret}`,
  ).toString('base64');
  const response = await fetch(`${simulatorURL}/auth/oauth2/v2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token from the simulator (${response.status})`);
  return body.access_token;
}

/** One page through the gateway: it fetches its token and the event-type catalogue. */
async function warmUp(graphqlURL: string, until: string): Promise<void> {
  const response = await fetch(graphqlURL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query:
        'query FaultGoalsWarmUp($until: DateTime) { events(filter: { until: $until }, first: 1) { nodes { id eventType { name } } } }',
      variables: { until },
    }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) {
    throw new Error(
      `the gateway's warm-up read failed (${response.status}): ${text.slice(0, 300)}`,
    );
  }
}

/** A `/__simulator` control call; the JSON answer, or undefined for 204. */
async function control(
  simulatorURL: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${simulatorURL}/__simulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /__simulator${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Takes OneLogin down and brings it back on time; resolves with when each took effect. */
async function switchOutage(
  simulatorURL: string,
  plan: OutagePlan,
  startedAt: number,
): Promise<{ downAtMs: number; backAtMs: number }> {
  await sleepUntil(startedAt + plan.healthyS * 1000);
  await control(simulatorURL, 'PUT', '/outage', plan.fault);
  const downAtMs = performance.now() - startedAt;
  await sleepUntil(startedAt + (plan.healthyS + plan.downS) * 1000);
  await control(simulatorURL, 'DELETE', '/outage');
  return { downAtMs, backAtMs: performance.now() - startedAt };
}

/** Every MONITOR_EVERY_MS: the simulator's call count and the gateway's open read circuits. */
async function monitor(
  simulatorURL: string,
  gatewayGraphqlURL: string,
  startedAt: number,
  stopAt: number,
  samples: Sample[],
): Promise<void> {
  const healthURL = gatewayGraphqlURL.replace(/\/graphql$/, '/healthz');
  // From just after the counters are reset.
  await sleepUntil(startedAt + 20);
  while (performance.now() < stopAt) {
    try {
      const [counters, health] = await Promise.all([
        control(simulatorURL, 'GET', '/counters') as Promise<CounterSnapshot>,
        fetch(healthURL, { signal: AbortSignal.timeout(1000) }).then(
          (response) => response.json() as Promise<{ circuits?: Record<string, string> }>,
        ),
      ]);
      samples.push({
        atMs: performance.now() - startedAt,
        upstreamCalls: counters.total,
        openRoutes: READ_ROUTES.filter((route) => health.circuits?.[route] !== undefined).length,
      });
    } catch {
      // A sample missed (a busy gateway); the next one will do.
    }
    await sleepUntil(Math.min(stopAt, performance.now() + MONITOR_EVERY_MS));
  }
}

function summarise(
  scenario: FaultScenario,
  records: readonly ReadRecord[],
  counters: CounterSnapshot,
  durationMs: number,
  peakInFlight: number,
): Omit<FaultScenarioResult, 'outage' | 'goal'> {
  const latencies = records.map((record) => record.endMs - record.startMs).sort((a, b) => a - b);
  const failures: Record<string, number> = {};
  for (const record of records) {
    if (!record.ok) failures[record.failure ?? '?'] = (failures[record.failure ?? '?'] ?? 0) + 1;
  }
  const upstreamByStatus: Record<string, number> = {};
  for (const route of Object.values(counters.byRoute)) {
    for (const [status, count] of Object.entries(route.byStatus)) {
      upstreamByStatus[status] = (upstreamByStatus[status] ?? 0) + count;
    }
  }
  return {
    id: scenario.id,
    faults: scenario.faults,
    durationS: durationMs / 1000,
    reads: records.length,
    succeeded: records.filter((record) => record.ok).length,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? 0,
    },
    inFlight: {
      mean: latencies.reduce((sum, ms) => sum + ms, 0) / durationMs,
      peak: peakInFlight,
    },
    upstreamCalls: counters.total,
    upstreamByStatus,
    failures,
  };
}

function outageResult(
  records: readonly ReadRecord[],
  samples: readonly Sample[],
  times: { downAtMs: number; backAtMs: number },
): OutageResult {
  const during = samples.filter(
    (sample) => sample.atMs >= times.downAtMs && sample.atMs <= times.backAtMs,
  );
  const opened = during.find((sample) => sample.openRoutes === READ_ROUTES.length);
  const last = during[during.length - 1];
  const failedBetween = (from: number, to: number) =>
    records.filter((record) => !record.ok && record.endMs > from && record.endMs <= to).length;
  // The calls just before the outage and just after it, from the nearest samples.
  const before = [...samples].reverse().find((sample) => sample.atMs <= times.downAtMs);
  const after = samples.find((sample) => sample.atMs >= times.backAtMs);
  const outageCalls = before && after ? after.upstreamCalls - before.upstreamCalls : Number.NaN;
  const outageFrom = before?.atMs ?? times.downAtMs;
  const outageTo = after?.atMs ?? times.backAtMs;

  const lastFailure = records
    .filter((record) => !record.ok && record.endMs > times.backAtMs)
    .reduce((latest, record) => Math.max(latest, record.endMs), times.backAtMs);
  const afterRecovery = records.filter((record) => record.startMs > lastFailure);
  const recovered = afterRecovery.length > 0 && afterRecovery.every((record) => record.ok);
  const latencies = afterRecovery
    .map((record) => record.endMs - record.startMs)
    .sort((a, b) => a - b);
  return {
    downAtMs: times.downAtMs,
    backAtMs: times.backAtMs,
    openAtMs: opened?.atMs ?? null,
    openCalls: opened && last ? last.upstreamCalls - opened.upstreamCalls : 0,
    openFailedReads: opened && last ? failedBetween(opened.atMs, last.atMs) : 0,
    outageCalls,
    outageFailedReads: failedBetween(outageFrom, outageTo),
    recoveryS: recovered ? (lastFailure - times.backAtMs) / 1000 : null,
    readsAfterRecovery: afterRecovery.length,
    p50AfterRecoveryMs: latencies.length > 0 ? percentile(latencies, 0.5) : null,
  };
}

/** Issue 11's goals, each check against its target. */
function judge(
  goal: 1 | 2 | 3 | 4,
  result: FaultScenarioResult,
  baseline: FaultScenarioResult | undefined,
): GoalResult {
  const rate = result.succeeded / Math.max(1, result.reads);
  const successCheck = (target: number): GoalCheck => ({
    name: 'reads successful',
    target: `≥ ${percent(target)}`,
    measured: `${percent(rate)} (${result.reads - result.succeeded} of ${result.reads} failed)`,
    pass: result.reads > 0 && rate >= target,
  });
  const checks: GoalCheck[] = [];
  switch (goal) {
    case 1: {
      checks.push(successCheck(0.999));
      const perRead = result.upstreamCalls / Math.max(1, result.reads);
      const basePerRead = baseline ? baseline.upstreamCalls / Math.max(1, baseline.reads) : NaN;
      const ratio = perRead / basePerRead;
      checks.push({
        name: 'upstream calls ÷ fault-free calls',
        target: '≤ 1.30 ×',
        measured: Number.isFinite(ratio)
          ? `${ratio.toFixed(3)} × (${perRead.toFixed(3)} calls a read; fault-free ${basePerRead.toFixed(3)})`
          : 'no baseline run',
        pass: Number.isFinite(ratio) && ratio <= 1.3,
      });
      break;
    }
    case 2:
      checks.push(successCheck(0.995));
      checks.push({
        name: 'p99 latency',
        target: '≤ 3000 ms',
        measured: `${result.latencyMs.p99.toFixed(0)} ms`,
        pass: result.reads > 0 && result.latencyMs.p99 <= 3000,
      });
      break;
    case 3:
      checks.push(successCheck(0.995));
      break;
    case 4: {
      const outage = result.outage;
      const perFailed =
        outage && outage.openAtMs !== null
          ? outage.openCalls / Math.max(1, outage.openFailedReads)
          : NaN;
      checks.push({
        name: 'upstream calls per failed read, circuits open',
        target: '≤ 1.10',
        measured:
          outage && outage.openAtMs !== null
            ? `${perFailed.toFixed(3)} (${outage.openCalls} calls, ${outage.openFailedReads} failed reads; ` +
              `open ${((outage.openAtMs - outage.downAtMs) / 1000).toFixed(1)} s after the outage began; ` +
              `the whole outage: ${(outage.outageCalls / Math.max(1, outage.outageFailedReads)).toFixed(3)}, ` +
              `${outage.outageCalls} calls, ${outage.outageFailedReads} failed reads)`
            : 'the circuits never opened',
        pass: Number.isFinite(perFailed) && perFailed <= 1.1,
      });
      checks.push({
        name: "back to normal after OneLogin's return",
        target: '≤ 10 s',
        measured:
          outage?.recoveryS !== null && outage?.recoveryS !== undefined
            ? `${outage.recoveryS.toFixed(1)} s (then ${outage.readsAfterRecovery} reads, all ok, p50 ${outage.p50AfterRecoveryMs?.toFixed(0) ?? '–'} ms)`
            : 'still failing when the run ended',
        pass:
          outage?.recoveryS !== null && outage?.recoveryS !== undefined && outage.recoveryS <= 10,
      });
      break;
    }
  }
  return { number: goal, checks, pass: checks.every((check) => check.pass) };
}

/** Nearest-rank percentile of ascending `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const rank = Math.min(values.length, Math.max(1, Math.ceil(p * values.length)));
  return values[rank - 1] as number;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}
