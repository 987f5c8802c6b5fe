/**
 * The price of production security, read from interleaved rounds rather than
 * from one run of each gateway: on a small shared machine two identical
 * gateways measured one after the other differ by more than the price itself.
 * Each round measures the secured gateway against the bare one in ABBA order,
 * and, inside the same round, a second bare gateway process against the bare
 * one in ABBA order too (the A/A control): the control says how far apart
 * two identical gateways come out on this machine, right next to the price.
 */
import type { RunMeasurement } from './measureRun';
import type { ScenarioId } from './scenarios';

/** The processes the rounds measure: the bare gateway, the secured one, a second bare one. */
export type PriceContestant = 'gateway' | 'secured' | 'gateway-b';

/**
 * One round, in order. The price pairs (secured against gateway) are runs 2–3
 * and 4–5: gateway, secured, secured, gateway (ABBA). The control pairs
 * (gateway-b against gateway) are runs 1–2 and 5–6: gateway-b, gateway, …,
 * gateway, gateway-b (ABBA), around them. Each of the gateway's runs counts in
 * one pair of each kind, so a round is six runs, not eight.
 *
 * secured and gateway-b are loaded alike: each had the scenario's main
 * warm-up and run (gateway-b the same load, unmeasured, right before the
 * first round), and in each round one warm-up and two runs. So whatever the
 * difference in history with the gateway does to the price (a young gateway's
 * CPU per request keeps falling for its first 10 to 20 s of load), it does the
 * same to the control.
 */
export const PRICE_ROUND: readonly PriceContestant[] = [
  'gateway-b',
  'gateway',
  'secured',
  'secured',
  'gateway',
  'gateway-b',
];

/** Positions in PRICE_ROUND of each pair: [the bare gateway's run, the other's]. */
const PRICE_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [1, 2],
  [4, 3],
];
const CONTROL_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [4, 5],
];

export interface PriceRun extends RunMeasurement {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  contestant: PriceContestant;
  /** 1, 2, … */
  round: number;
  /** Index in PRICE_ROUND. */
  position: number;
  /**
   * What loaded this process just before the run: its own previous run (the
   * same load, at least as long as a warm-up), a warm-up run of `--warmup`
   * seconds, or, for gateway-b's first run of a scenario, the load the others
   * had in the scenario's main runs (a warm-up run of `--warmup` plus
   * `--duration` seconds).
   */
  after: 'own previous run' | 'warm-up' | 'main runs’ load';
}

/** The per-pair values of one figure, and what they come to. */
export interface PairedFigure {
  median: number;
  min: number;
  max: number;
  /** One value per pair, in the order measured. */
  pairs: number[];
}

export interface PairedComparison {
  /** The other's CPU ms per request over the gateway's; null when the gateway's was never readable. */
  cpuPerRequest: PairedFigure | null;
  /** The other's p50 minus the gateway's, in ms (per walk for walks). */
  p50DeltaMs: PairedFigure;
}

/**
 * - met: the median price is within the target by more than the noise (median + noise ≤ target);
 * - missed: it is over the target by more than the noise (median − noise > target);
 * - within noise: the noise cannot tell.
 */
export type PriceVerdict = 'met' | 'missed' | 'within noise';

export interface BenchSecurityPrice {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  /** Pairs of each kind (price and control). */
  pairs: number;
  /** secured against gateway. */
  price: PairedComparison;
  /** gateway-b against gateway: the same build and settings, so any difference is noise. */
  control: PairedComparison;
  /**
   * How far a median of this many pairs strays from the truth by noise alone,
   * as the control shows it (see noiseOf): what the price must clear its
   * target by.
   */
  noise: { cpuPerRequest: number | null; p50DeltaMs: number };
  /** The p50 target for this scenario's unit: SECURITY_TARGETS.p50DeltaMs per GraphQL request. */
  p50TargetMs: number;
  verdict: { cpuPerRequest: PriceVerdict | null; p50: PriceVerdict };
}

/** The price production security may cost (the callers issue): per GraphQL request. */
export const SECURITY_TARGETS = { cpuPerRequest: 1.1, p50DeltaMs: 0.3 } as const;

/**
 * The price and the control per scenario and latency, from the rounds' runs.
 * `requestsPerUnit` gives a scenario's GraphQL requests per unit (a walk's
 * p50 covers each of them, and each pays for security).
 */
export function securityPricesOf(
  runs: readonly PriceRun[],
  requestsPerUnit: (scenario: ScenarioId) => number,
): BenchSecurityPrice[] {
  const groups = new Map<string, PriceRun[]>();
  for (const run of runs) {
    const key = `${run.scenario}@${run.upstreamLatencyMs}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const prices: BenchSecurityPrice[] = [];
  for (const group of groups.values()) {
    const first = group[0] as PriceRun;
    const price = compare(group, PRICE_PAIRS);
    const control = compare(group, CONTROL_PAIRS);
    if (!price || !control) continue;
    const noise = {
      cpuPerRequest: control.cpuPerRequest ? noiseOf(control.cpuPerRequest, 1) : null,
      p50DeltaMs: noiseOf(control.p50DeltaMs, 0),
    };
    const p50TargetMs = SECURITY_TARGETS.p50DeltaMs * requestsPerUnit(first.scenario);
    prices.push({
      scenario: first.scenario,
      upstreamLatencyMs: first.upstreamLatencyMs,
      pairs: price.p50DeltaMs.pairs.length,
      price,
      control,
      noise,
      p50TargetMs,
      verdict: {
        cpuPerRequest:
          price.cpuPerRequest && noise.cpuPerRequest !== null
            ? verdictOf(
                price.cpuPerRequest.median,
                noise.cpuPerRequest,
                SECURITY_TARGETS.cpuPerRequest,
              )
            : null,
        p50: verdictOf(price.p50DeltaMs.median, noise.p50DeltaMs, p50TargetMs),
      },
    });
  }
  return prices;
}

/**
 * The noise of a median of the control's pairs, whose truth is `neutral` (1
 * for a ratio, 0 for a difference): the larger of how far the control's own
 * median came out from it, and of its farthest pair's distance divided by the
 * square root of the number of pairs (a median of n pairs strays about 1/√n as
 * far as one pair does). With few pairs this is a rough, deliberately
 * generous bound; more rounds narrow it.
 */
export function noiseOf(control: PairedFigure, neutral: number): number {
  const farthest = Math.max(...control.pairs.map((value) => Math.abs(value - neutral)));
  return Math.max(Math.abs(control.median - neutral), farthest / Math.sqrt(control.pairs.length));
}

export function verdictOf(median: number, noise: number, target: number): PriceVerdict {
  if (median + noise <= target) return 'met';
  if (median - noise > target) return 'missed';
  return 'within noise';
}

/** The pairs at `positions` of every complete round in `runs`; null when there are none. */
function compare(
  runs: readonly PriceRun[],
  positions: ReadonlyArray<readonly [number, number]>,
): PairedComparison | null {
  const rounds = [...new Set(runs.map((run) => run.round))].sort((a, b) => a - b);
  const cpu: number[] = [];
  const p50: number[] = [];
  for (const round of rounds) {
    const at = (position: number) =>
      runs.find((run) => run.round === round && run.position === position);
    for (const [basePosition, otherPosition] of positions) {
      const base = at(basePosition);
      const other = at(otherPosition);
      if (!base || !other) continue;
      p50.push(other.latencyMs.p50 - base.latencyMs.p50);
      if (base.cpuMsPerRequest && other.cpuMsPerRequest !== null) {
        cpu.push(other.cpuMsPerRequest / base.cpuMsPerRequest);
      }
    }
  }
  if (p50.length === 0) return null;
  return { cpuPerRequest: cpu.length > 0 ? figure(cpu) : null, p50DeltaMs: figure(p50) };
}

function figure(values: readonly number[]): PairedFigure {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    pairs: [...values],
  };
}

/** The middle value; for an even count, the mean of the middle two. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
