/**
 * One measured run: autocannon in this process drives a load plan for a fixed
 * time over a fixed number of connections, while the contestant's and the
 * simulator's CPU time, peak memory and the simulator's request counters are
 * read around it.
 */
import autocannon from 'autocannon';

import type { CounterSnapshot } from '../src/simulator/types';
import type { LoadPlan, Recorder } from './loadPlans';
import { readCpuMs, readPeakRssBytes, resetPeakRss } from './processStats';

export interface RunSettings {
  durationS: number;
  connections: number;
}

export interface MeasuredProcesses {
  /** The contestant's process (floor or gateway); absent for direct REST. */
  contestantPid?: number;
  simulatorPid: number;
  /** The simulator's origin, for its `/__simulator/counters`. */
  simulatorURL: string;
}

export interface RunMeasurement {
  /** Measured units (requests, or walks) per second. */
  requestsPerSecond: number;
  /** Units completed; a walk cut short by the end of the run counts as the share it finished. */
  units: number;
  /** HTTP requests answered with a 2xx. */
  httpRequests: number;
  /** HTTP requests sent, those in flight when the run ended included. */
  httpRequestsSent: number;
  elapsedS: number;
  latencyMs: { p50: number; p99: number; mean: number; samples: number };
  /** Non-2xx answers, socket errors, timeouts and bad 2xx bodies. */
  errors: number;
  firstError?: string;
  /**
   * Contestant CPU (user + system) per unit; null for direct REST. This and the
   * other per-unit costs divide by the units sent, in-flight ones included.
   */
  cpuMsPerRequest: number | null;
  /** Contestant peak RSS during the run; null for direct REST. */
  peakRssMB: number | null;
  /** Whether the peak could be reset before the run (else it is the process's lifetime peak). */
  peakRssScope: 'run' | 'process' | null;
  simulatorCpuMsPerRequest: number;
  /** This process (the load generator) per unit, for context. */
  loadGeneratorCpuMsPerRequest: number;
  /** Upstream calls the simulator answered, per unit. */
  upstreamCallsPerRequest: number;
  upstreamCalls: Record<string, number>;
  /** Upstream answers other than 200, by route and status. */
  upstreamFailures: Record<string, number>;
}

/** How long in-flight requests get to finish after a run. */
const SETTLE_MS = 300;

/** The simulator's request counters since they were last reset. */
export async function readSimulatorCounters(simulatorURL: string): Promise<CounterSnapshot> {
  return JSON.parse(await counterCall(simulatorURL, 'GET')) as CounterSnapshot;
}

export async function resetSimulatorCounters(simulatorURL: string): Promise<void> {
  await counterCall(simulatorURL, 'DELETE');
}

/**
 * Reading and resetting the counters are idempotent, so a call that failed on
 * the network is made once more: the bench's keep-alive connection to the
 * simulator may be closed by it (Node's 5 s keep-alive timeout) just as it is
 * used again, after a wait such as a price block's restart on a busy machine,
 * and fetch() does not try again itself.
 */
async function counterCall(simulatorURL: string, method: 'GET' | 'DELETE'): Promise<string> {
  const url = `${simulatorURL}/__simulator/counters`;
  const call = async () => {
    const response = await fetch(url, { method });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
    return text;
  };
  try {
    return await call();
  } catch (error) {
    // fetch() fails with a TypeError ("fetch failed") on the network, nothing else.
    if (!(error instanceof TypeError)) throw error;
    return call();
  }
}

export async function measureRun(
  plan: LoadPlan,
  settings: RunSettings,
  processes: MeasuredProcesses,
): Promise<RunMeasurement> {
  await resetSimulatorCounters(processes.simulatorURL);
  const { contestantPid, simulatorPid } = processes;
  const peakScope =
    contestantPid === undefined ? null : resetPeakRss(contestantPid) ? 'run' : 'process';

  const latencies: number[] = [];
  let bad = 0;
  let firstError: string | undefined;
  const recorder: Recorder = {
    unit: (ms) => latencies.push(ms),
    bad(reason) {
      bad += 1;
      firstError ??= reason;
    },
  };
  const instance = autocannon({
    url: plan.origin,
    connections: settings.connections,
    duration: settings.durationS,
    // autocannon checks for the end of a run at each sample tick: every 100 ms rather than
    // every second, so that a 1.5 s run lasts 1.5 s, not 2.
    sampleInt: 100,
    timeout: 30,
    requests: plan.requests(recorder),
  });
  if (!plan.measuresUnits) {
    instance.on('response', (_client, status, _bytes, responseTimeMs) => {
      if (status >= 200 && status < 300) latencies.push(responseTimeMs);
      else firstError ??= `HTTP ${status}`;
    });
  }
  instance.on('reqError', (error) => {
    firstError ??= error instanceof Error ? error.message : String(error);
  });

  const cpuBefore = contestantPid === undefined ? 0 : readCpuMs(contestantPid);
  const simulatorBefore = readCpuMs(simulatorPid);
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await instance;
  const elapsedS = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownBefore);
  // Requests in flight when autocannon stopped still reach the contestant and the simulator:
  // let them finish, and count their work against the requests sent rather than those answered.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpuMs = contestantPid === undefined ? null : readCpuMs(contestantPid) - cpuBefore;
  const simulatorCpuMs = readCpuMs(simulatorPid) - simulatorBefore;
  const peakRss = contestantPid === undefined ? null : readPeakRssBytes(contestantPid);
  const snapshot = await readSimulatorCounters(processes.simulatorURL);

  const httpRequests = result['2xx'];
  const units = httpRequests / plan.stepsPerUnit;
  const sentUnits = Math.max(result.requests.sent ?? 0, httpRequests) / plan.stepsPerUnit;
  const perUnit = (value: number) => (sentUnits > 0 ? value / sentUnits : 0);
  const upstreamCalls: Record<string, number> = {};
  const upstreamFailures: Record<string, number> = {};
  for (const [route, entry] of Object.entries(snapshot.byRoute)) {
    upstreamCalls[route] = entry.total;
    for (const [status, count] of Object.entries(entry.byStatus)) {
      if (status !== '200') upstreamFailures[`${route} ${status}`] = count;
    }
  }
  return {
    requestsPerSecond: units / elapsedS,
    units,
    httpRequests,
    httpRequestsSent: sentUnits * plan.stepsPerUnit,
    elapsedS,
    latencyMs: summarise(latencies),
    errors: result.non2xx + result.errors + bad,
    ...(firstError !== undefined ? { firstError } : {}),
    cpuMsPerRequest: cpuMs === null ? null : perUnit(cpuMs),
    peakRssMB: peakRss === null ? null : peakRss / 1024 / 1024,
    peakRssScope: peakScope,
    simulatorCpuMsPerRequest: perUnit(simulatorCpuMs),
    loadGeneratorCpuMsPerRequest: units > 0 ? (own.user + own.system) / 1000 / units : 0,
    upstreamCallsPerRequest: perUnit(snapshot.total),
    upstreamCalls,
    upstreamFailures,
  };
}

function summarise(values: number[]): RunMeasurement['latencyMs'] {
  if (values.length === 0) return { p50: 0, p99: 0, mean: 0, samples: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] as number;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { p50: at(0.5), p99: at(0.99), mean, samples: sorted.length };
}
