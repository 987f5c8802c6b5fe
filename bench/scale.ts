/**
 * The scale part of `npm run bench` (issue 14): how the gateway's cost grows
 * with the work it is given, at a fixed load (the bench's connections):
 *
 * - pages: `events(first: N)` with the bench's 12 fields + `eventType { name }`
 *   for N = 10, 50, 200, 500 (OneLogin gives at most 50 events a call, so a
 *   page of N takes ⌈N/50⌉ calls, one after the other), against the floor
 *   asked the same;
 * - entities: `_entities` batches of 10, 100 and 1,000 `Event`
 *   representations, as a Federation router sends them, of events the gateway
 *   has just listed (so answered from its event cache, no upstream call);
 * - replicas: 1, 2 and 4 gateway processes sharing one Redis (REDIS_URL,
 *   a fresh CACHE_NAMESPACE, deleted after), scenario 1's 50-event page with
 *   the same load on each replica: the bench's connections over the most
 *   replicas (2 of 8 for 4), so 2, 4 and 8 connections in all (connection i to
 *   replica i mod n). Then a replica's CPU per request is measured at one load
 *   in every row, and only what sharing adds can move it.
 *
 * Each part starts from answers checked against the floor and direct REST
 * (the same events in the same order, field for field), counts the upstream
 * calls of one request at the simulator, then measures a warm-up and a short
 * run per size. Everything runs against its own simulator at one upstream
 * latency (20 ms when the bench measures it), in child processes, as the rest
 * of the bench does.
 */
import { isDeepStrictEqual } from 'node:util';

import type autocannon from 'autocannon';
import { createClient } from '@keyv/redis';

import type { RedisClient } from '../src/cache/createCacheStores';
import { graphQL, rest } from './checkRequests';
import { startFloor } from './startFloor';
import { gatewayRevision, type GatewayRevision } from './gatewayRevision';
import type { LoadPlan, Recorder, Target } from './loadPlans';
import { directListPath, graphQLHeaders, loadPlanFor, UPSTREAM_PAGE_SIZE } from './loadPlans';
import type { RunMeasurement, RunSettings } from './measureRun';
import { measureRun, readSimulatorCounters, resetSimulatorCounters } from './measureRun';
import { readCpuMs } from './processStats';
import type { Scenario } from './scenarios';
import { COMMON_SELECTION, OBJECT_FIELD_SELECTIONS, OPERATIONS, SCENARIOS } from './scenarios';
import type { Child } from './startChild';
import { freePorts, startChild } from './startChild';
import { startGatewayChild } from './startGatewayChild';

export type ScalePart = 'pages' | 'entities' | 'replicas';
export const SCALE_PARTS: readonly ScalePart[] = ['pages', 'entities', 'replicas'];

export interface ScaleSizes {
  /** `first` of each page. */
  pages: number[];
  /** Representations per `_entities` batch. */
  entities: number[];
  /** Gateway processes sharing Redis. */
  replicas: number[];
}

/** What the issue asks for. */
export const FULL_SCALE_SIZES: ScaleSizes = {
  pages: [10, 50, 200, 500],
  entities: [10, 100, 1000],
  replicas: [1, 2, 4],
};

/** `--quick`: the ends of each range, so that the smoke run exercises every path. */
export const QUICK_SCALE_SIZES: ScaleSizes = {
  pages: [10, 500],
  entities: [10, 1000],
  replicas: [1, 2],
};

/** Seconds of each measured run and of the warm-up before it, by default and with `--quick`. */
export const SCALE_TIMING = {
  full: { durationS: 2, warmupS: 1 },
  quick: { durationS: 1, warmupS: 0.5 },
};

/**
 * The most OneLogin calls one request may make, for the scale gateways: the
 * cost estimate counts one call per `Event` representation whether or not it
 * is cached, so a batch of more than 50 (UPSTREAM_CALLS_PER_REQUEST_MAX's
 * default) is refused before it runs; this is the highest value the gateway
 * accepts. It changes no work the gateway does, only what it refuses.
 */
const SCALE_CALLS_PER_REQUEST = '10000';

export interface ScaleOptions {
  parts: readonly ScalePart[];
  sizes: ScaleSizes;
  durationS: number;
  warmupS: number;
  connections: number;
  latencyMs: number;
  seed: number;
  eventCount: number;
  /** Epoch ms the simulator's data is anchored to. */
  dataAnchor: number;
  /** The Redis the replicas share. */
  redisURL: string;
  /** The bench's command line, for the report (the scale section may be copied alone). */
  command: string;
  log(line: string): void;
}

/** Where the replicas' Redis is when REDIS_URL is not set (docker-compose's, and CI's). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The scale part's options from the bench's: its sizes and timing by
 * `--quick`, at 20 ms upstream latency when the bench measures it (else the
 * first latency it measures), Redis from REDIS_URL.
 */
export function scaleOptionsFor(bench: {
  scale: readonly ScalePart[];
  quick: boolean;
  connections: number;
  latencies: readonly number[];
  seed: number;
  eventCount: number;
  dataAnchor: number;
  command: string;
  log(line: string): void;
}): ScaleOptions {
  return {
    parts: bench.scale,
    sizes: bench.quick ? QUICK_SCALE_SIZES : FULL_SCALE_SIZES,
    ...(bench.quick ? SCALE_TIMING.quick : SCALE_TIMING.full),
    connections: bench.connections,
    latencyMs: bench.latencies.includes(20) ? 20 : (bench.latencies[0] ?? 20),
    seed: bench.seed,
    eventCount: bench.eventCount,
    dataAnchor: bench.dataAnchor,
    redisURL: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
    command: bench.command,
    log: bench.log,
  };
}

/** `--scale`: none, or a list of parts (all of them by default). */
export function scaleParts(raw: string | undefined): ScalePart[] {
  if (raw === undefined || raw.trim() === 'all') return [...SCALE_PARTS];
  if (raw.trim() === 'none') return [];
  const wanted = raw.split(',').map((part) => part.trim());
  for (const part of wanted) {
    if (!(SCALE_PARTS as readonly string[]).includes(part)) {
      throw new Error(
        `--scale takes none, all or a list of ${SCALE_PARTS.join(', ')} (got "${part}")`,
      );
    }
  }
  return SCALE_PARTS.filter((part) => wanted.includes(part));
}

/** What runBenchmarks gives the scale part: the build and the bare gateway's settings. */
export interface ScaleContext {
  /** The compiled gateway, relative to the repository root. */
  gatewayEntry: string;
  /** The bare gateway's security and observability settings (AUTH_MODE, METRICS_ENABLED, …). */
  gatewaySettings: Readonly<Record<string, string>>;
  /** A OneLogin token from the simulator, for direct REST. */
  fetchToken(simulatorURL: string): Promise<string>;
}

/** The measured run, without the per-route details (those stay in the main results). */
export type ScaleRun = Pick<
  RunMeasurement,
  | 'requestsPerSecond'
  | 'units'
  | 'httpRequestsSent'
  | 'elapsedS'
  | 'latencyMs'
  | 'errors'
  | 'firstError'
  | 'cpuMsPerRequest'
  | 'peakRssMB'
  | 'upstreamCallsPerRequest'
  | 'simulatorCpuMsPerRequest'
>;

export interface ScalePageRow {
  first: number;
  /** Pages checked: each of `first` events, the same as direct REST's and the floor's. */
  checkedPages: number;
  /** OneLogin calls of one page request, counted at the simulator (not an average). */
  upstreamCallsPerPage: { gateway: number; floor: number };
  gateway: ScaleRun;
  floor: ScaleRun;
  /** CPU per request over `first`, in µs. */
  cpuUsPerEvent: { gateway: number | null; floor: number | null };
}

export interface ScaleEntityRow {
  representations: number;
  /** Different batches the load goes through in turn (slices of the listed events). */
  batches: number;
  /** OneLogin calls of one `_entities` request, counted at the simulator. */
  upstreamCallsPerRequest: number;
  gateway: ScaleRun;
  cpuUsPerRepresentation: number | null;
}

export interface ScaleReplicaRow {
  replicas: number;
  /** Connections in all: the same number per replica in every row. */
  connections: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  errors: number;
  firstError?: string;
  /** Every replica's CPU over every request sent. */
  totalCpuMsPerRequest: number | null;
  /** Each replica's CPU over the requests sent to it. */
  cpuMsPerRequestByReplica: Array<number | null>;
  /** Share of the requests each replica was sent. */
  requestShareByReplica: number[];
  /** The Redis server's CPU (INFO cpu, the whole server: other clients' work too) per request. */
  redisCpuMsPerRequest: number | null;
  upstreamCallsPerRequest: number;
  httpRequestsSent: number;
}

export interface ScaleReport {
  /** The bench run it came from: its command line, when it started, the gateway's commit. */
  command: string;
  date: string;
  gateway: GatewayRevision;
  upstreamLatencyMs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  parts: ScalePart[];
  sizes: ScaleSizes;
  /** Settings of the scale gateways besides the bare gateway's. */
  gatewaySettings: Record<string, string>;
  pages?: ScalePageRow[];
  entities?: {
    /** Which events the representations name, and why they cost no upstream call. */
    case: string;
    query: string;
    rows: ScaleEntityRow[];
  };
  replicas?:
    | {
        measured: true;
        redis: string;
        /** The key prefix (CACHE_NAMESPACE) of the run, deleted after. */
        namespace: string;
        keysDeleted: number;
        rows: ScaleReplicaRow[];
      }
    | { measured: false; reason: string };
  /** Seconds the scale part took, start-up and checks included. */
  elapsedS: number;
  warnings: string[];
}

type Node = Record<string, unknown> & { id: string };

/** The bench's page operation (scenario 1's), at any `first`. */
const PAGE_SCENARIO = SCENARIOS[0] as Scenario;

/** `_entities` for `Event` representations, selecting what the pages select. */
export const ENTITIES_QUERY =
  'query BenchEntities($representations: [_Any!]!) { _entities(representations: $representations) ' +
  `{ ... on Event { ${COMMON_SELECTION.map((field) => {
    const object = OBJECT_FIELD_SELECTIONS[field];
    return object ? `${field} { ${object.select} }` : field;
  }).join(' ')} } } }`;

/** Places a page starts from, in turn: enough that the requests in flight differ. */
function startsFor(first: number): number {
  return first <= UPSTREAM_PAGE_SIZE ? 20 : 10;
}

export async function runScale(options: ScaleOptions, context: ScaleContext): Promise<ScaleReport> {
  const began = performance.now();
  const warnings: string[] = [];
  const settings: RunSettings = { durationS: options.durationS, connections: options.connections };
  const report: ScaleReport = {
    command: options.command,
    date: new Date().toISOString(),
    gateway: gatewayRevision(),
    upstreamLatencyMs: options.latencyMs,
    durationS: options.durationS,
    warmupS: options.warmupS,
    connections: options.connections,
    parts: [...options.parts],
    sizes: options.sizes,
    gatewaySettings: { UPSTREAM_CALLS_PER_REQUEST_MAX: SCALE_CALLS_PER_REQUEST },
    elapsedS: 0,
    warnings,
  };
  options.log(
    `scale (${options.parts.join(', ')}) at ${options.latencyMs} ms upstream latency: ` +
      'starting the simulator, the floor, the gateway and the replicas',
  );
  const simulator = await startChild({
    name: 'simulator',
    entry: 'bench/simulatorProcess.ts',
    args: [
      JSON.stringify({
        seed: options.seed,
        eventCount: options.eventCount,
        latencyMs: options.latencyMs,
        now: options.dataAnchor,
      }),
    ],
    ready: { kind: 'ipc' },
  });
  const children: Child[] = [];
  // The replicas start with the others, in one wave, and wait idle until their turn.
  const shared = options.parts.includes('replicas')
    ? await sharedRedis(options, warnings)
    : undefined;
  if (shared && !shared.reachable) report.replicas = { measured: false, reason: shared.reason };
  const replicaCount = shared?.reachable === true ? Math.max(...options.sizes.replicas) : 0;
  try {
    const ports = await freePorts(1 + replicaCount);
    const started = await Promise.allSettled([
      startFloor(simulator.url),
      startGateway(context, 'scale-gateway', ports[0] as number, simulator.url, {}),
      ...ports.slice(1).map((port, index) =>
        startGateway(context, `replica-${index + 1}`, port, simulator.url, {
          REDIS_URL: options.redisURL,
          CACHE_NAMESPACE: shared?.reachable === true ? shared.namespace : '',
        }),
      ),
    ]);
    for (const outcome of started) if (outcome.status === 'fulfilled') children.push(outcome.value);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    const [floor, gateway, ...replicas] = children as [Child, Child, ...Child[]];
    const targets: ScaleTargets = {
      direct: {
        contestant: 'direct',
        url: simulator.url,
        token: await context.fetchToken(simulator.url),
      },
      floor: { contestant: 'floor', url: floor.url },
      gateway: { contestant: 'gateway', url: gateway.url },
    };
    const processesOf = (child: Child) => ({
      contestantPid: child.pid,
      simulatorPid: simulator.pid,
      simulatorURL: simulator.url,
    });
    const measure = async (plan: LoadPlan, child: Child): Promise<ScaleRun> => {
      if (options.warmupS > 0) {
        await measureRun(plan, { ...settings, durationS: options.warmupS }, processesOf(child));
      }
      return scaleRun(await measureRun(plan, settings, processesOf(child)));
    };

    /** Events the gateway has listed, checked: what the `_entities` batches name. */
    let listed: Node[] = [];

    if (options.parts.includes('pages')) {
      const rows: ScalePageRow[] = [];
      for (const first of options.sizes.pages) {
        const checked = await checkPages(targets, first, startsFor(first));
        if (checked.nodes.length > listed.length) listed = checked.nodes;
        const upstreamCallsPerPage = {
          gateway: await callsOfOne(simulator.url, () =>
            graphQL(targets.gateway, OPERATIONS.page.query, { first, after: null }),
          ),
          floor: await callsOfOne(simulator.url, () =>
            graphQL(targets.floor, OPERATIONS.page.query, { first, after: null }),
          ),
        };
        const scenario: Scenario = { ...PAGE_SCENARIO, first, starts: startsFor(first) };
        const planOf = (contestant: 'gateway' | 'floor') =>
          loadPlanFor(scenario, targets[contestant], {
            ids: [],
            starts: checked.starts[contestant],
          });
        const gatewayRun = await measure(planOf('gateway'), gateway);
        const floorRun = await measure(planOf('floor'), floor);
        const perEvent = (run: ScaleRun) =>
          run.cpuMsPerRequest === null ? null : (run.cpuMsPerRequest * 1000) / first;
        const row: ScalePageRow = {
          first,
          checkedPages: checked.starts.gateway.length,
          upstreamCallsPerPage,
          gateway: gatewayRun,
          floor: floorRun,
          cpuUsPerEvent: { gateway: perEvent(gatewayRun), floor: perEvent(floorRun) },
        };
        rows.push(row);
        warnings.push(...warningsOf(`scale pages first ${first}, gateway`, gatewayRun));
        warnings.push(...warningsOf(`scale pages first ${first}, floor`, floorRun));
        options.log(
          `  page of ${first}: gateway ${describeRun(gatewayRun)}, ${row.cpuUsPerEvent.gateway?.toFixed(1) ?? '—'} µs/event; ` +
            `floor ${describeRun(floorRun)}; upstream calls per page ${upstreamCallsPerPage.gateway} (floor ${upstreamCallsPerPage.floor})`,
        );
      }
      report.pages = rows;
    }

    if (options.parts.includes('entities')) {
      const largest = Math.max(...options.sizes.entities);
      if (listed.length < largest) {
        const first = Math.min(500, largest);
        listed = (await checkPages(targets, first, Math.ceil(largest / first))).nodes;
      }
      const pool = listed.slice(0, largest);
      const rows: ScaleEntityRow[] = [];
      for (const size of options.sizes.entities) {
        const batches = chunks(pool, size);
        // Every batch answered, each entity the event listed with its id, field for field.
        for (const batch of batches) await checkEntities(targets.gateway, batch);
        const upstreamCallsPerRequest = await callsOfOne(simulator.url, () =>
          graphQL(targets.gateway, ENTITIES_QUERY, {
            representations: representationsOf(batches[0] ?? []),
          }),
        );
        const run = await measure(entitiesPlan(targets.gateway, batches), gateway);
        const row: ScaleEntityRow = {
          representations: size,
          batches: batches.length,
          upstreamCallsPerRequest,
          gateway: run,
          cpuUsPerRepresentation:
            run.cpuMsPerRequest === null ? null : (run.cpuMsPerRequest * 1000) / size,
        };
        rows.push(row);
        warnings.push(...warningsOf(`scale _entities of ${size}`, run));
        options.log(
          `  _entities of ${size}: ${describeRun(run)}, ${row.cpuUsPerRepresentation?.toFixed(1) ?? '—'} µs/representation, ` +
            `upstream calls per request ${upstreamCallsPerRequest}`,
        );
      }
      report.entities = {
        case:
          'Event representations of events the gateway listed just before (the pages checked, newest first), ' +
          'as a router asks for events another subgraph references after a list: every one is in the ' +
          "gateway's in-memory event cache with the fields selected, so a batch costs no OneLogin call",
        query: ENTITIES_QUERY,
        rows,
      };
    }

    if (shared?.reachable === true) {
      // The pages' gateway is not part of it: idle, it costs nothing, but it may as well go.
      await gateway.stop();
      report.replicas = await measureReplicas(
        options,
        shared,
        replicas,
        simulator,
        targets,
        warnings,
      );
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await simulator.stop();
    if (shared?.reachable === true) {
      const deleted = await deleteKeys(options.redisURL, shared.namespace).catch(
        (error: unknown) => {
          warnings.push(
            `scale replicas: the keys ${shared.namespace}* were not deleted: ${String(error)}`,
          );
          return 0;
        },
      );
      if (report.replicas?.measured) report.replicas.keysDeleted = deleted;
      options.log(`  deleted ${deleted} Redis keys under ${shared.namespace}`);
    }
  }
  report.elapsedS = Math.round((performance.now() - began) / 100) / 10;
  options.log(`scale: done in ${report.elapsedS} s`);
  return report;
}

interface ScaleTargets {
  direct: Target;
  floor: Target;
  gateway: Target;
}

/** A gateway set up as the bench's bare one, against `simulatorURL`. */
function startGateway(
  context: ScaleContext,
  name: string,
  port: number,
  simulatorURL: string,
  extra: Readonly<Record<string, string>>,
): Promise<Child> {
  return startGatewayChild({
    name,
    entry: context.gatewayEntry,
    port,
    simulatorURL,
    // As runBenchmarks runs every gateway (see its note on V8's memory reducer).
    nodeFlags: ['--enable-source-maps', '--no-memory-reducer'],
    env: {
      ...context.gatewaySettings,
      UPSTREAM_CALLS_PER_REQUEST_MAX: SCALE_CALLS_PER_REQUEST,
      ...extra,
    },
  });
}

type SharedRedis =
  { reachable: true; where: string; namespace: string } | { reachable: false; reason: string };

/** Whether the replicas' Redis answers, and the fresh key prefix (CACHE_NAMESPACE) of this run. */
async function sharedRedis(options: ScaleOptions, warnings: string[]): Promise<SharedRedis> {
  const where = redactedURL(options.redisURL);
  const reachable = await pingRedis(options.redisURL);
  if (reachable !== true) {
    const reason = `Redis at ${where} did not answer (${reachable}): the replica rows were not measured. Set REDIS_URL to a reachable Redis.`;
    options.log(`  ${reason}`);
    warnings.push(`scale replicas: ${reason}`);
    return { reachable: false, reason };
  }
  const namespace = `bench-scale-${process.pid}-${Date.now()}`;
  options.log(
    `  replicas: ${Math.max(...options.sizes.replicas)} gateways sharing Redis at ${where} (keys ${namespace}*)`,
  );
  return { reachable: true, where, namespace };
}

async function measureReplicas(
  options: ScaleOptions,
  shared: { where: string; namespace: string },
  replicas: readonly Child[],
  simulator: Child,
  targets: ScaleTargets,
  warnings: string[],
): Promise<NonNullable<ScaleReport['replicas']>> {
  const outcome = {
    measured: true as const,
    redis: shared.where,
    namespace: shared.namespace,
    // Set once the replicas have stopped (runScale).
    keysDeleted: 0,
    rows: [] as ScaleReplicaRow[],
  };
  // Scenario 1: checked on the first replica against the floor and direct REST, and every
  // other replica against the first (cursors carry no process state: any replica takes them).
  const first = PAGE_SCENARIO.first ?? 50;
  const starts = startsFor(first);
  const replicaTarget = (child: Child): Target => ({ contestant: 'gateway', url: child.url });
  const checked = await checkPages(
    { ...targets, gateway: replicaTarget(replicas[0] as Child) },
    first,
    starts,
  );
  await Promise.all(
    replicas.slice(1).map(async (replica) => {
      const walked = await walkGraphQL(replicaTarget(replica), first, starts);
      compareNodes(`scale replicas, page of ${first}`, checked.nodes, walked.nodes, replica.name);
    }),
  );
  const scenario: Scenario = { ...PAGE_SCENARIO, starts };
  const planFor = (count: number) => {
    const base = loadPlanFor(scenario, replicaTarget(replicas[0] as Child), {
      ids: [],
      starts: checked.starts.gateway,
    });
    return spreadOver(base, replicas.slice(0, count));
  };
  // The same load on each replica in every row (a fixed total spread over more replicas gave
  // each a smaller share, and a process given less work spends more per request on it: fewer
  // requests share each turn of its event loop, each socket write, each Redis pipeline).
  const perReplica = Math.max(
    1,
    Math.floor(options.connections / Math.max(...options.sizes.replicas)),
  );
  const settings: RunSettings = {
    durationS: options.durationS,
    connections: options.connections,
  };
  const rowSettings = (count: number): RunSettings => ({
    durationS: options.durationS,
    connections: perReplica * count,
  });
  const noContestant = { simulatorPid: simulator.pid, simulatorURL: simulator.url };
  // Every replica first gets the whole load alone for twice the warm-up, so that those joining later
  // come nearly as warm as the first (a shared warm-up gave the 3rd and 4th a quarter of it each, and
  // they came out 1.7x the first's CPU per request; one warm-up each, 1.3x). Then each row has a
  // short warm-up of its own, to settle the load on its replicas.
  if (options.warmupS > 0) {
    for (const replica of replicas) {
      await measureRun(
        spreadOver(
          loadPlanFor(scenario, replicaTarget(replica), {
            ids: [],
            starts: checked.starts.gateway,
          }),
          [replica],
        ).plan,
        { ...settings, durationS: 2 * options.warmupS },
        noContestant,
      );
    }
  }
  const redis = await redisClient(options.redisURL);
  const rows = outcome.rows;
  try {
    for (const count of options.sizes.replicas) {
      const used = replicas.slice(0, count);
      const load = rowSettings(count);
      if (options.warmupS > 0) {
        await measureRun(
          planFor(count).plan,
          { ...load, durationS: options.warmupS / 2 },
          noContestant,
        );
      }
      const { plan, sentTo } = planFor(count);
      const cpuBefore = used.map((replica) => readCpuMs(replica.pid));
      const redisBefore = await redisCpuMs(redis);
      const run = await measureRun(plan, load, noContestant);
      const cpu = used.map((replica, index) => readCpuMs(replica.pid) - (cpuBefore[index] ?? 0));
      const redisAfter = await redisCpuMs(redis);
      const sent = run.httpRequestsSent;
      const built = used.map((_, index) => sentTo[index] ?? 0);
      const builtTotal = built.reduce((sum, value) => sum + value, 0);
      const shares = built.map((value) => (builtTotal > 0 ? value / builtTotal : 0));
      const measured: ScaleReplicaRow = {
        replicas: count,
        connections: load.connections,
        requestsPerSecond: run.requestsPerSecond,
        latencyMs: { p50: run.latencyMs.p50, p99: run.latencyMs.p99 },
        errors: run.errors,
        ...(run.firstError !== undefined ? { firstError: run.firstError } : {}),
        totalCpuMsPerRequest: sent > 0 ? cpu.reduce((sum, value) => sum + value, 0) / sent : null,
        cpuMsPerRequestByReplica: cpu.map((value, index) => {
          const requests = (shares[index] ?? 0) * sent;
          return requests > 0 ? value / requests : null;
        }),
        requestShareByReplica: shares,
        redisCpuMsPerRequest:
          redisBefore !== null && redisAfter !== null && sent > 0
            ? (redisAfter - redisBefore) / sent
            : null,
        upstreamCallsPerRequest: run.upstreamCallsPerRequest,
        httpRequestsSent: sent,
      };
      rows.push(measured);
      warnings.push(...warningsOf(`scale ${count} replica(s)`, scaleRun(run)));
      options.log(
        `  ${count} replica(s), ${load.connections} connections: ${run.requestsPerSecond.toFixed(0)}/s, p50 ${run.latencyMs.p50.toFixed(2)} ms, ` +
          `p99 ${run.latencyMs.p99.toFixed(2)} ms, ${measured.totalCpuMsPerRequest?.toFixed(3) ?? '—'} CPU ms/req in all, ` +
          `per replica ${measured.cpuMsPerRequestByReplica.map((value) => value?.toFixed(3) ?? '—').join(', ')}`,
      );
    }
  } finally {
    await redis.quit();
  }
  return outcome;
}

/**
 * `plan` with its connections spread over `replicas` (autocannon sends
 * connection i to the i-th origin modulo their number), counting the
 * requests built for each replica.
 */
function spreadOver(
  plan: LoadPlan,
  replicas: readonly Child[],
): { plan: LoadPlan; sentTo: number[] } {
  const origins = replicas.map((replica) => new URL(replica.url).origin);
  const ports = replicas.map((replica) => Number(new URL(replica.url).port));
  const sentTo = replicas.map(() => 0);
  return {
    sentTo,
    plan: {
      ...plan,
      origin: origins,
      requests: (recorder) =>
        plan.requests(recorder).map((request) => ({
          ...request,
          setupRequest(defaults, requestContext) {
            const built = request.setupRequest
              ? request.setupRequest(defaults, requestContext)
              : defaults;
            if (built) {
              const index = ports.indexOf(Number((defaults as { port?: unknown }).port));
              if (index >= 0) sentTo[index] = (sentTo[index] ?? 0) + 1;
            }
            return built;
          },
        })),
    },
  };
}

/** The load of `_entities` batches, one after the other in turn, every answer checked for errors. */
function entitiesPlan(target: Target, batches: readonly Node[][]): LoadPlan {
  const url = new URL(target.url);
  const headers = graphQLHeaders(target);
  const bodies = batches.map((batch) =>
    JSON.stringify({
      query: ENTITIES_QUERY,
      variables: { representations: representationsOf(batch) },
    }),
  );
  return {
    origin: url.origin,
    stepsPerUnit: 1,
    measuresUnits: false,
    requests(recorder: Recorder): autocannon.Request[] {
      let next = 0;
      return [
        {
          method: 'POST',
          path: url.pathname,
          headers,
          body: bodies[0],
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          onResponse(status, body) {
            if (status < 200 || status >= 300) return;
            if (body.includes('"errors":') || !body.startsWith('{"data":{"_entities":[')) {
              recorder.bad(`_entities: ${body.slice(0, 300)}`);
            }
          },
        },
      ];
    },
  };
}

function representationsOf(batch: readonly Node[]): Array<{ __typename: 'Event'; id: string }> {
  return batch.map((node) => ({ __typename: 'Event', id: node.id }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index + size <= items.length; index += size) {
    out.push(items.slice(index, index + size));
  }
  return out;
}

/** Each entity of a batch must be the listed event with its id, field for field, in order. */
async function checkEntities(gateway: Target, batch: readonly Node[]): Promise<void> {
  const data = (await graphQL(gateway, ENTITIES_QUERY, {
    representations: representationsOf(batch),
  })) as { _entities: Array<Node | null> };
  const entities = data._entities;
  if (!Array.isArray(entities) || entities.length !== batch.length) {
    throw new Error(
      `_entities of ${batch.length}: the gateway answered ${Array.isArray(entities) ? entities.length : 'no list'}`,
    );
  }
  entities.forEach((entity, index) => {
    if (!entity) throw new Error(`_entities of ${batch.length}: #${index + 1} is null`);
  });
  compareNodes(`_entities of ${batch.length}`, [...batch], entities as Node[], 'listed page');
}

/**
 * `starts` pages of `first` events one after the other from the newest, from
 * the gateway and the floor, and the same events from direct REST (50 a
 * call): every page full, the gateway's and the floor's events equal field
 * for field, and direct's ids the gateway's in order. Returns the events and
 * where each contestant's pages start.
 */
async function checkPages(
  targets: ScaleTargets,
  first: number,
  starts: number,
): Promise<{ nodes: Node[]; starts: Record<keyof ScaleTargets, Array<string | null>> }> {
  const [gateway, floor, direct] = await Promise.all([
    walkGraphQL(targets.gateway, first, starts),
    walkGraphQL(targets.floor, first, starts),
    walkDirect(targets.direct, first, starts),
  ]);
  const what = `scale, pages of ${first}`;
  compareNodes(what, gateway.nodes, floor.nodes, 'floor');
  const ids = gateway.nodes.map((node) => node.id);
  if (!isDeepStrictEqual(ids, direct.ids)) {
    const index = ids.findIndex((id, i) => id !== direct.ids[i]);
    throw new Error(
      `${what}: direct REST returned other events than the gateway ` +
        `(#${index + 1}: gateway ${ids[index]}, direct ${direct.ids[index]})`,
    );
  }
  return {
    nodes: gateway.nodes,
    starts: { gateway: gateway.starts, floor: floor.starts, direct: direct.starts },
  };
}

async function walkGraphQL(
  target: Target,
  first: number,
  pages: number,
): Promise<{ nodes: Node[]; starts: Array<string | null> }> {
  const nodes: Node[] = [];
  const starts: Array<string | null> = [];
  let after: string | null = null;
  for (let page = 0; page < pages; page += 1) {
    starts.push(after);
    const data = (await graphQL(target, OPERATIONS.page.query, { first, after })) as {
      events: { nodes: Node[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    if (data.events.nodes.length !== first) {
      throw new Error(
        `scale: the ${target.contestant}'s page ${page + 1} of first: ${first} has ${data.events.nodes.length} events`,
      );
    }
    nodes.push(...data.events.nodes);
    after = data.events.pageInfo.endCursor;
    if (!after || !data.events.pageInfo.hasNextPage) {
      throw new Error(
        `scale: the ${target.contestant} had no next page after ${nodes.length} events`,
      );
    }
  }
  return { nodes, starts };
}

async function walkDirect(
  target: Target,
  first: number,
  pages: number,
): Promise<{ ids: string[]; starts: Array<string | null> }> {
  const ids: string[] = [];
  const starts: Array<string | null> = [];
  const limit = Math.min(UPSTREAM_PAGE_SIZE, first);
  let after: string | null = null;
  while (ids.length < first * pages) {
    if (ids.length % first === 0) starts.push(after);
    const page = (await rest(target, directListPath(OPERATIONS.page.selection, limit, after))) as {
      data: Array<{ id: unknown }>;
      pagination: { after_cursor: string | null };
    };
    ids.push(...page.data.map((event) => String(event.id)));
    after = page.pagination.after_cursor;
    if (!after) throw new Error(`scale: OneLogin had no next page after ${ids.length} events`);
  }
  return { ids, starts };
}

/** OneLogin calls the simulator answered while `request` ran, alone. */
async function callsOfOne(simulatorURL: string, request: () => Promise<unknown>): Promise<number> {
  await resetSimulatorCounters(simulatorURL);
  await request();
  // Background work (a cache write) calls nobody; the answer is complete when it arrives.
  return (await readSimulatorCounters(simulatorURL)).total;
}

/** Throws at the first field where `expected` and `actual` differ. */
function compareNodes(what: string, expected: Node[], actual: Node[], actualName: string): void {
  if (expected.length !== actual.length) {
    throw new Error(
      `${what}: ${expected.length} events expected, the ${actualName} ${actual.length}`,
    );
  }
  expected.forEach((node, index) => {
    const other = actual[index] as Node;
    for (const field of new Set([...Object.keys(node), ...Object.keys(other)])) {
      if (!isDeepStrictEqual(node[field], other[field])) {
        throw new Error(
          `${what}: event ${node.id} (#${index + 1}) differs in ${field}: ` +
            `expected ${JSON.stringify(node[field])}, ${actualName} ${JSON.stringify(other[field])}`,
        );
      }
    }
  });
}

function scaleRun(run: RunMeasurement): ScaleRun {
  return {
    requestsPerSecond: run.requestsPerSecond,
    units: run.units,
    httpRequestsSent: run.httpRequestsSent,
    elapsedS: run.elapsedS,
    latencyMs: run.latencyMs,
    errors: run.errors,
    ...(run.firstError !== undefined ? { firstError: run.firstError } : {}),
    cpuMsPerRequest: run.cpuMsPerRequest,
    peakRssMB: run.peakRssMB,
    upstreamCallsPerRequest: run.upstreamCallsPerRequest,
    simulatorCpuMsPerRequest: run.simulatorCpuMsPerRequest,
  };
}

function describeRun(run: ScaleRun): string {
  return (
    `${run.requestsPerSecond.toFixed(1)}/s, p50 ${run.latencyMs.p50.toFixed(2)} ms, p99 ${run.latencyMs.p99.toFixed(2)} ms` +
    (run.cpuMsPerRequest === null ? '' : `, ${run.cpuMsPerRequest.toFixed(3)} CPU ms`)
  );
}

function warningsOf(where: string, run: ScaleRun): string[] {
  const warnings: string[] = [];
  if (run.errors > 0) {
    warnings.push(
      `${where}: ${run.errors} failed requests (first: ${run.firstError ?? 'unknown'})`,
    );
  }
  if (run.units === 0) warnings.push(`${where}: no request completed`);
  return warnings;
}

/** `redis://user:secret@host` without the secret. */
function redactedURL(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'an unreadable REDIS_URL';
  }
}

async function redisClient(url: string): Promise<RedisClient> {
  const client = createClient({
    url,
    socket: { connectTimeout: 2000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** True, or why not. */
async function pingRedis(url: string): Promise<true | string> {
  try {
    const client = await redisClient(url);
    try {
      await client.ping();
      return true;
    } finally {
      await client.quit();
    }
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  }
}

/** The Redis server's user + system CPU so far (INFO cpu), in ms; null when it does not say. */
async function redisCpuMs(client: RedisClient): Promise<number | null> {
  try {
    const info = await client.info('cpu');
    const user = /used_cpu_user:([\d.]+)/.exec(info)?.[1];
    const system = /used_cpu_sys:([\d.]+)/.exec(info)?.[1];
    if (user === undefined || system === undefined) return null;
    return (Number(user) + Number(system)) * 1000;
  } catch {
    return null;
  }
}

/** Deletes every key under `namespace`, a SCAN at a time; returns how many. */
async function deleteKeys(url: string, namespace: string): Promise<number> {
  const client = await redisClient(url);
  try {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: `${namespace}*`, COUNT: 500 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  } finally {
    await client.quit();
  }
}
