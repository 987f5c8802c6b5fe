/**
 * `npm run bench:live`: what `Subscription.eventAdded` costs and how fast it
 * delivers (issue 13). The gateway runs from its build in a process of its
 * own, against the simulator in another; subscribers are graphql-ws clients
 * in this process, one WebSocket each. Three measurements:
 *
 * 1. Delivery latency: events are created in the simulator at a steady rate
 *    (`POST /__simulator/live/emit`, which answers each event's `created_at`);
 *    latency is when a subscriber handled the event minus that creation time
 *    (one machine, one clock). At the default interval (10 s) and a short one.
 * 2. Memory per idle subscriber: the gateway's RSS, and its V8 heap after a
 *    full GC (through the inspector), with 0 and with N idle subscribers.
 * 3. Upstream calls with 0, 1, 100 and 1,000 subscribers: the simulator's own
 *    counters over a fixed window at a short interval, per poll (polls counted
 *    from `/healthz`'s `live.lastPoll`), and per hour at the default interval.
 *    With REDIS_URL set, again with two replicas sharing Redis.
 */
import os from 'node:os';

import { createClient } from '@keyv/redis';

import { buildGateway } from './buildGateway';
import { connectInspector } from './inspectHeap';
import type { LiveSubscriber } from './liveSubscribers';
import { closeAll, subscribeMany } from './liveSubscribers';
import { readSimulatorCounters, resetSimulatorCounters } from './measureRun';
import { readRssBytes } from './processStats';
import type { Child } from './startChild';
import { freePorts, startChild } from './startChild';
import { BARE_GATEWAY_ENV, startGatewayChild } from './startGatewayChild';
import { gatewayRevision, type GatewayRevision } from './gatewayRevision';

/** The gateway's LIVE_POLL_INTERVAL_SECONDS when it is not set. */
export const DEFAULT_INTERVAL_S = 10;

export interface LiveBenchOptions {
  quick: boolean;
  /** Poll intervals the latency is measured at; `null` is the default (the variable unset). */
  latencyIntervals: Array<number | null>;
  latencyEvents: number;
  latencyEventsPerSecond: number;
  idleSubscribers: number;
  /** Seconds the gateway is left alone before each memory reading. */
  memorySettleS: number;
  /** Memory rounds, each in a fresh gateway process: RSS moves by pages and allocator chunks. */
  memoryRounds: number;
  callSubscribers: number[];
  callIntervalS: number;
  callWindowS: number;
  /** Low enough that one poll's overlap window (60 s) holds fewer than a page (50) of events. */
  callEventsPerSecond: number;
  redisURL: string | undefined;
  command: string;
  log(line: string): void;
}

export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
  count: number;
}

export interface LatencyResult {
  pollIntervalSeconds: number;
  /** LIVE_POLL_INTERVAL_SECONDS unset. */
  defaultInterval: boolean;
  subscribers: number;
  events: number;
  eventsPerSecond: number;
  /** Events × subscribers that arrived; `missed` did not within the drain time. */
  deliveries: number;
  missed: number;
  latencyMs: LatencyFigures;
}

export interface MemoryReading {
  subscribers: number;
  rssMB: number;
  heapUsedMB: number;
}

export interface MemoryRound {
  idle: MemoryReading;
  loaded: MemoryReading;
  perSubscriberKB: { rss: number; heapUsed: number };
}

/** The round with the median RSS per subscriber, and every round (each a fresh gateway). */
export interface MemoryResult extends MemoryRound {
  pollIntervalSeconds: number;
  settleS: number;
  subscribers: number;
  rounds: MemoryRound[];
}

export interface CallsStep {
  subscribers: number;
  windowS: number;
  /**
   * Polls that ended in the window, from each replica's `/healthz` `live.lastPoll.at` (read
   * every 200 ms at most, so at intervals under 0.4 s a poll could go unseen).
   */
  polls: number;
  /** How many replicas those polls came from. */
  pollingReplicas: number;
  /** The simulator's count of OneLogin calls in the window, by route. */
  calls: Record<string, number>;
  totalCalls: number;
  callsPerPoll: number | null;
  /** `callsPerPoll` × 3,600 / 10: an hour at the default interval. */
  callsPerHourAtDefault: number | null;
  events: number;
  deliveries: number;
  missed: number;
  latencyMs: LatencyFigures | null;
}

export interface CallsDeployment {
  replicas: number;
  redis: boolean;
  pollIntervalSeconds: number;
  eventsPerSecond: number;
  steps: CallsStep[];
}

export interface LiveBenchReport {
  version: 1;
  date: string;
  command: string;
  quick: boolean;
  durationS: number;
  machine: {
    cpu: string;
    cores: number;
    memoryGB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15-minute load averages before and after the run. */
    loadAverage: { start: number[]; end: number[] };
  };
  gateway: GatewayRevision;
  latency: LatencyResult[];
  memory: MemoryResult;
  upstreamCalls: CallsDeployment[];
  notes: string[];
  warnings: string[];
}

export const QUICK: Omit<LiveBenchOptions, 'redisURL' | 'command' | 'log'> = {
  quick: true,
  latencyIntervals: [1],
  latencyEvents: 10,
  latencyEventsPerSecond: 4,
  idleSubscribers: 50,
  memorySettleS: 1,
  memoryRounds: 1,
  callSubscribers: [0, 1, 10, 50],
  callIntervalS: 0.5,
  callWindowS: 3,
  callEventsPerSecond: 0.5,
};

export const FULL: Omit<LiveBenchOptions, 'redisURL' | 'command' | 'log'> = {
  quick: false,
  latencyIntervals: [null, 1],
  latencyEvents: 60,
  latencyEventsPerSecond: 1,
  idleSubscribers: 1000,
  memorySettleS: 5,
  memoryRounds: 3,
  callSubscribers: [0, 1, 100, 1000],
  callIntervalS: 1,
  callWindowS: 20,
  callEventsPerSecond: 0.5,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

interface Gateway {
  child: Child;
  url: string;
  healthURL: string;
  inspectPort: number | undefined;
}

interface LiveHealth {
  subscribers: number;
  polling: boolean;
  lastPoll: { at: string; outcome: string; events: number } | null;
}

async function liveHealth(gateway: Gateway): Promise<LiveHealth> {
  const response = await fetch(gateway.healthURL);
  return ((await response.json()) as { live: LiveHealth }).live;
}

async function waitForSubscribers(gateways: readonly Gateway[], count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const states = await Promise.all(gateways.map(liveHealth));
    const total = states.reduce((sum, state) => sum + state.subscribers, 0);
    if (total === count) return;
    if (Date.now() > deadline) {
      throw new Error(`the gateways serve ${total} subscriptions, not ${count}, after 60 s`);
    }
    await sleep(100);
  }
}

async function startGateway(
  entry: string,
  name: string,
  simulatorURL: string,
  env: Record<string, string>,
  inspect: boolean,
): Promise<Gateway> {
  const [port, inspectPort] = await freePorts(2);
  const url = `http://127.0.0.1:${port as number}/graphql`;
  const healthURL = `http://127.0.0.1:${port as number}/healthz`;
  const child = await startGatewayChild({
    name,
    entry,
    port: port as number,
    simulatorURL,
    // As `npm start` runs it (the inspector only where the heap is read).
    nodeFlags: [
      '--enable-source-maps',
      ...(inspect ? [`--inspect=127.0.0.1:${inspectPort as number}`] : []),
    ],
    env: {
      // The highest limits loadConfig accepts: a connection and each subscription count as a
      // request of the one anonymous caller, and a thousand of them must not be refused.
      ...BARE_GATEWAY_ENV,
      ...env,
    },
  });
  return { child, url, healthURL, inspectPort: inspect ? inspectPort : undefined };
}

interface Emitted {
  id: string;
  createdAtMs: number;
}

async function emit(simulatorURL: string): Promise<Emitted> {
  const response = await fetch(`${simulatorURL}/__simulator/live/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"count":1}',
  });
  if (!response.ok) throw new Error(`POST /__simulator/live/emit answered ${response.status}`);
  const { events } = (await response.json()) as {
    events: Array<{ id: number; created_at: string }>;
  };
  const [event] = events;
  if (!event) throw new Error('POST /__simulator/live/emit created nothing');
  return { id: String(event.id), createdAtMs: Date.parse(event.created_at) };
}

/**
 * `count` events at `perSecond` on average, each gap drawn from 0.5 to 1.5
 * times the mean (seeded, so every run has the same schedule): a fixed gap
 * equal to the poll interval would land every event at the same point of the
 * poll's cycle, and the percentiles would say nothing about the interval.
 */
async function emitSteadily(
  simulatorURL: string,
  count: number,
  perSecond: number,
): Promise<Emitted[]> {
  const emitted: Emitted[] = [];
  const next = seededRandom(count);
  let due = Date.now();
  for (let i = 0; i < count; i++) {
    if (i > 0) due += ((0.5 + next()) * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    emitted.push(await emit(simulatorURL));
  }
  return emitted;
}

/** mulberry32: uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Waits until every subscriber has every event, or `timeoutMs`. */
async function drain(
  subscribers: readonly LiveSubscriber[],
  events: readonly Emitted[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = subscribers.every((subscriber) =>
      events.every((event) => subscriber.received.has(event.id)),
    );
    if (done) return;
    await sleep(50);
  }
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], share: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index] as number;
}

export function latencyFigures(values: readonly number[]): LatencyFigures | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
    min: sorted[0] as number,
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    count: sorted.length,
  };
}

function deliveriesOf(
  subscribers: readonly LiveSubscriber[],
  events: readonly Emitted[],
): { latencies: number[]; missed: number } {
  const latencies: number[] = [];
  let missed = 0;
  for (const subscriber of subscribers) {
    for (const event of events) {
      const at = subscriber.received.get(event.id);
      if (at === undefined) missed += 1;
      else latencies.push(at - event.createdAtMs);
    }
  }
  return { latencies, missed };
}

function checkAlive(subscribers: readonly LiveSubscriber[], warnings: string[], what: string) {
  const ended = subscribers.filter((subscriber) => subscriber.ended !== undefined);
  if (ended.length > 0) {
    warnings.push(
      `${what}: ${ended.length} subscription(s) ended during the run (${ended[0]?.ended ?? ''})`,
    );
  }
}

interface Context {
  options: LiveBenchOptions;
  entry: string;
  simulatorURL: string;
  warnings: string[];
}

async function measureLatency(context: Context): Promise<LatencyResult[]> {
  const { options, entry, simulatorURL } = context;
  const intervals = options.latencyIntervals;
  options.log(
    `latency: ${intervals.length} gateway(s) (poll interval ${intervals
      .map((interval) =>
        interval === null ? `${DEFAULT_INTERVAL_S} s, the default` : `${interval} s`,
      )
      .join(
        '; ',
      )}), one subscriber each, ${options.latencyEvents} events at ${options.latencyEventsPerSecond}/s`,
  );
  // Side by side: one series of events serves them all (each gateway's feed starts when it
  // does, so none sees another phase's events).
  const gateways = await Promise.all(
    intervals.map((interval, index) =>
      startGateway(
        entry,
        `gateway-latency-${index}`,
        simulatorURL,
        interval === null ? {} : { LIVE_POLL_INTERVAL_SECONDS: String(interval) },
        false,
      ),
    ),
  );
  try {
    const subscribers = await Promise.all(
      gateways.map(async (gateway) => {
        const [subscriber] = await subscribeMany(gateway.url, 1);
        await waitForSubscribers([gateway], 1);
        return subscriber as LiveSubscriber;
      }),
    );
    const events = await emitSteadily(
      simulatorURL,
      options.latencyEvents,
      options.latencyEventsPerSecond,
    );
    const longest = Math.max(...intervals.map((interval) => interval ?? DEFAULT_INTERVAL_S));
    await drain(subscribers, events, longest * 1000 + 5000);
    const results = intervals.map((interval, index): LatencyResult => {
      const subscriber = subscribers[index] as LiveSubscriber;
      checkAlive([subscriber], context.warnings, `latency at ${interval ?? 'the default'} s`);
      const { latencies, missed } = deliveriesOf([subscriber], events);
      const figures = latencyFigures(latencies);
      if (!figures) throw new Error(`no event reached the subscriber at interval ${interval}`);
      return {
        pollIntervalSeconds: interval ?? DEFAULT_INTERVAL_S,
        defaultInterval: interval === null,
        subscribers: 1,
        events: events.length,
        eventsPerSecond: options.latencyEventsPerSecond,
        deliveries: latencies.length,
        missed,
        latencyMs: figures,
      };
    });
    for (const result of results) {
      options.log(
        `  interval ${result.pollIntervalSeconds} s: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms (${result.deliveries} delivered, ${result.missed} missed)`,
      );
    }
    await closeAll(subscribers);
    return results;
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.child.stop()));
  }
}

async function measureMemory(context: Context): Promise<MemoryResult> {
  const { options } = context;
  const rounds: MemoryRound[] = [];
  for (let round = 1; round <= options.memoryRounds; round++) {
    options.log(
      `memory ${round}/${options.memoryRounds}: a fresh gateway (default interval), 0 then ${options.idleSubscribers} idle subscribers`,
    );
    rounds.push(await memoryRound(context));
  }
  const byRss = [...rounds].sort((a, b) => a.perSubscriberKB.rss - b.perSubscriberKB.rss);
  const median = byRss[Math.floor((byRss.length - 1) / 2)] as MemoryRound;
  return {
    pollIntervalSeconds: DEFAULT_INTERVAL_S,
    settleS: options.memorySettleS,
    subscribers: options.idleSubscribers,
    ...median,
    rounds,
  };
}

async function memoryRound(context: Context): Promise<MemoryRound> {
  const { options, entry, simulatorURL } = context;
  const count = options.idleSubscribers;
  const gateway = await startGateway(entry, 'gateway-memory', simulatorURL, {}, true);
  const inspector = await connectInspector(gateway.inspectPort as number);
  try {
    // One subscriber that comes and goes first: what the first subscription loads once (code,
    // the feed's reader and poller) is not the price of each.
    const [warm] = await subscribeMany(gateway.url, 1);
    await waitForSubscribers([gateway], 1);
    await (warm as LiveSubscriber).close();
    await waitForSubscribers([gateway], 0);
    const reading = async (subscribers: number): Promise<MemoryReading> => {
      await sleep(options.memorySettleS * 1000);
      const rss: number[] = [];
      const heap: number[] = [];
      for (let i = 0; i < 3; i++) {
        heap.push((await inspector.heapAfterGc()).usedBytes);
        rss.push(readRssBytes(gateway.child.pid));
        await sleep(300);
      }
      const middle = (values: number[]) => [...values].sort((a, b) => a - b)[1] as number;
      return {
        subscribers,
        rssMB: round(middle(rss) / MB, 2),
        heapUsedMB: round(middle(heap) / MB, 2),
      };
    };
    const idle = await reading(0);
    const subscribers = await subscribeMany(gateway.url, count);
    await waitForSubscribers([gateway], count);
    const loaded = await reading(count);
    checkAlive(subscribers, context.warnings, 'memory');
    const health = await liveHealth(gateway);
    if (health.subscribers !== count) {
      context.warnings.push(`memory: ${health.subscribers} subscriptions at the end, not ${count}`);
    }
    await closeAll(subscribers);
    const perSubscriberKB = {
      rss: round(((loaded.rssMB - idle.rssMB) * 1024) / count, 2),
      heapUsed: round(((loaded.heapUsedMB - idle.heapUsedMB) * 1024) / count, 2),
    };
    options.log(
      `  RSS ${idle.rssMB} → ${loaded.rssMB} MB, heap ${idle.heapUsedMB} → ${loaded.heapUsedMB} MB: ${perSubscriberKB.rss} KB RSS, ${perSubscriberKB.heapUsed} KB heap per subscriber`,
    );
    return { idle, loaded, perSubscriberKB };
  } finally {
    inspector.close();
    await gateway.child.stop();
  }
}

/** The feed's keys expire on their own; the bench leaves none behind all the same. */
async function deleteKeys(redisURL: string, namespace: string): Promise<void> {
  const client = createClient({ url: redisURL });
  await client.connect();
  const stored = await client.keys(`${namespace}*`);
  if (stored.length > 0) await client.del(stored);
  await client.quit();
}

async function measureCalls(context: Context, replicas: number): Promise<CallsDeployment> {
  const { options, entry, simulatorURL } = context;
  const redis = replicas > 1;
  const interval = options.callIntervalS;
  options.log(
    `upstream calls: ${replicas} gateway(s)${redis ? ' sharing Redis' : ''}, poll interval ${interval} s, ` +
      `${options.callSubscribers.join(', ')} subscribers, ${options.callWindowS} s each`,
  );
  const namespace = `bench-live-${process.pid}-${Date.now()}`;
  const gateways = await Promise.all(
    Array.from({ length: replicas }, (_, index) =>
      startGateway(
        entry,
        `gateway-calls-${index}`,
        simulatorURL,
        {
          LIVE_POLL_INTERVAL_SECONDS: String(interval),
          ...(redis ? { REDIS_URL: options.redisURL as string, CACHE_NAMESPACE: namespace } : {}),
        },
        false,
      ),
    ),
  );
  const subscribers: LiveSubscriber[] = [];
  const steps: CallsStep[] = [];
  try {
    for (const count of options.callSubscribers) {
      // New subscribers spread over the replicas, one connection each.
      const missing = count - subscribers.length;
      if (missing > 0) {
        const added = await Promise.all(
          gateways.map((gateway, index) =>
            subscribeMany(
              gateway.url,
              Math.floor(missing / replicas) + (index < missing % replicas ? 1 : 0),
            ),
          ),
        );
        subscribers.push(...added.flat());
      }
      await waitForSubscribers(gateways, count);
      // Polling starts (or stops) at the next tick: the window begins after it.
      await sleep(interval * 1000 + 500);
      const windowS =
        count === 0 ? Math.max(interval * 3, options.callWindowS / 4) : options.callWindowS;
      // Polls seen so far (replica index and `lastPoll.at`); one look at every replica.
      const seen = new Set<string>();
      const pollers = new Set<number>();
      let polls = 0;
      const look = async (): Promise<boolean> => {
        let found = false;
        for (const [index, state] of (await Promise.all(gateways.map(liveHealth))).entries()) {
          const poll = state.lastPoll && `${index} ${state.lastPoll.at}`;
          if (poll && !seen.has(poll)) {
            seen.add(poll);
            pollers.add(index);
            polls += 1;
            found = true;
          }
        }
        return found;
      };
      /** Resolves just after the next poll of any replica ends (its call is answered by then). */
      const pollEnds = async () => {
        const deadline = Date.now() + interval * 3000 + 5000;
        while (!(await look())) {
          if (Date.now() > deadline) throw new Error(`no poll within ${interval * 3 + 5} s`);
          await sleep(20);
        }
      };
      // With subscribers the window runs from just after a poll to just after a later one, so
      // that it holds whole polls and their calls, no more; without any, for a fixed time.
      await look();
      if (count > 0) await pollEnds();
      pollers.clear();
      polls = 0;
      await resetSimulatorCounters(simulatorURL);
      const started = Date.now();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await look();
          await sleep(Math.min(200, (interval * 1000) / 4));
        }
      })();
      // Events in the first part of the window, so that each is delivered within it.
      const emitFor = Math.max(0, windowS - interval - 1.5);
      const events =
        count === 0
          ? []
          : await emitSteadily(
              simulatorURL,
              Math.max(1, Math.floor(emitFor * options.callEventsPerSecond)),
              options.callEventsPerSecond,
            );
      const remaining = started + windowS * 1000 - Date.now();
      if (remaining > 0) await sleep(remaining);
      sampling = false;
      await sampler;
      if (count > 0) await pollEnds();
      const snapshot = await readSimulatorCounters(simulatorURL);
      const elapsedS = (Date.now() - started) / 1000;
      await drain(subscribers, events, interval * 1000 + 3000);
      const { latencies, missed } = deliveriesOf(subscribers, events);
      const calls = Object.fromEntries(
        Object.entries(snapshot.byRoute).map(([route, entry]) => [route, entry.total]),
      );
      const callsPerPoll = polls > 0 ? round(snapshot.total / polls, 2) : null;
      const step: CallsStep = {
        subscribers: count,
        windowS: round(elapsedS, 1),
        polls,
        pollingReplicas: pollers.size,
        calls,
        totalCalls: snapshot.total,
        callsPerPoll,
        callsPerHourAtDefault:
          callsPerPoll === null
            ? snapshot.total === 0
              ? 0
              : null
            : round((callsPerPoll * 3600) / DEFAULT_INTERVAL_S, 0),
        events: events.length,
        deliveries: latencies.length,
        missed,
        latencyMs: latencyFigures(latencies),
      };
      steps.push(step);
      options.log(
        `  ${count} subscribers: ${snapshot.total} calls in ${step.windowS} s, ${polls} polls` +
          (step.latencyMs
            ? `, latency p50 ${step.latencyMs.p50} ms p99 ${step.latencyMs.p99} ms`
            : ''),
      );
    }
    checkAlive(subscribers, context.warnings, `upstream calls (${replicas} replica(s))`);
    await closeAll(subscribers);
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.child.stop()));
    if (redis) await deleteKeys(options.redisURL as string, namespace);
  }
  return {
    replicas,
    redis,
    pollIntervalSeconds: interval,
    eventsPerSecond: options.callEventsPerSecond,
    steps,
  };
}

export async function runLiveBench(options: LiveBenchOptions): Promise<LiveBenchReport> {
  const began = performance.now();
  const loadAtStart = os.loadavg().map((value) => round(value, 2));
  const warnings: string[] = [];
  const notes: string[] = [];
  if ((loadAtStart[0] ?? 0) > 1) {
    warnings.push(
      `the machine was busy before the run (load average ${loadAtStart[0]}): other processes share the CPU`,
    );
  }
  options.log('building the gateway (tsconfig.build.json)');
  const entry = buildGateway('live');
  const simulator = await startChild({
    name: 'simulator',
    entry: 'bench/simulatorProcess.ts',
    // The data set ends now: the live feed publishes what OneLogin creates after the gateway starts.
    args: [JSON.stringify({ seed: 1, eventCount: 2000, latencyMs: 0, now: Date.now() })],
    ready: { kind: 'ipc' },
  });
  const context: Context = { options, entry, simulatorURL: simulator.url, warnings };
  try {
    const latency = await measureLatency(context);
    const memory = await measureMemory(context);
    const upstreamCalls = [await measureCalls(context, 1)];
    if (options.redisURL) upstreamCalls.push(await measureCalls(context, 2));
    else {
      notes.push(
        'REDIS_URL is not set: the upstream calls of two replicas sharing Redis (one poller per cluster) were not measured.',
      );
    }
    return {
      version: 1,
      date: new Date().toISOString(),
      command: options.command,
      quick: options.quick,
      durationS: round((performance.now() - began) / 1000, 1),
      machine: {
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        memoryGB: round(os.totalmem() / 1024 ** 3, 1),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverage: { start: loadAtStart, end: os.loadavg().map((value) => round(value, 2)) },
      },
      gateway: gatewayRevision(),
      latency,
      memory,
      upstreamCalls,
      notes,
      warnings,
    };
  } finally {
    await simulator.stop();
  }
}
