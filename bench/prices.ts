/**
 * What a configuration costs the gateway per request (production security,
 * metrics, tracing, access logs), read from interleaved rounds rather than
 * from one run of each gateway: on a small shared machine two identical
 * gateways measured one after the other differ by more than these prices.
 * Each configuration runs in a gateway process of its own, from the same
 * build as the bare gateway, and each of its blocks in a round starts it and
 * the bare gateway afresh: processes of one build differ persistently by as
 * much as a price, so each pair is drawn from fresh processes, with the same
 * history on both sides. A round measures each priced one against the
 * bare gateway in ABBA order, and, inside the same round, a second bare
 * gateway process against the bare one in ABBA order too (the A/A control):
 * the control says how far apart two identical gateways come out on this
 * machine, right next to the prices.
 */
import type { RunMeasurement } from './measureRun';
import type { ScenarioId } from './scenarios';

/** What the bench can price, each against the bare gateway. */
export type PriceId =
  'security' | 'metrics' | 'tracing' | 'sampled-tracing' | 'logs' | 'production';

/** The gateway process that runs a priced configuration. */
export type PricedContestant =
  'secured' | 'metrics' | 'tracing' | 'sampled-tracing' | 'logs' | 'production';

/** The processes the rounds measure: the bare gateway, a second bare one, the priced ones. */
export type PriceContestant = 'gateway' | 'gateway-b' | PricedContestant;

export interface PriceTargets {
  /** The most the priced gateway's CPU per request may be, as a multiple of the bare one's. */
  cpuPerRequest: number;
  /** The most its p50 may add per GraphQL request, in ms; null: reported, no target. */
  p50DeltaMs: number | null;
}

export interface PriceConfiguration {
  id: PriceId;
  contestant: PricedContestant;
  /** For the tables: "metrics (scraped every 1 s)". */
  title: string;
  targets: PriceTargets;
}

/** In the order `--prices` lists them and the rounds measure them. */
export const PRICE_IDS: readonly PriceId[] = [
  'security',
  'metrics',
  'tracing',
  'sampled-tracing',
  'logs',
  'production',
];

/**
 * The targets: production security's from the callers' issue (1.10 × CPU,
 * +0.30 ms p50 per request); metrics, tracing and access logs from the
 * operations issue (at most 5 % CPU each; their latency is reported only);
 * the whole production configuration from the performance issue (1.20 ×
 * CPU, +0.5 ms p50 per request).
 * Tracing is priced twice: every request sampled (the most it can cost), and
 * 10 % of traces sampled (`parentbased_traceidratio`, a production setting).
 */
export const PRICES: Readonly<Record<PriceId, PriceConfiguration>> = {
  security: {
    id: 'security',
    contestant: 'secured',
    title: 'production security',
    targets: { cpuPerRequest: 1.1, p50DeltaMs: 0.3 },
  },
  metrics: {
    id: 'metrics',
    contestant: 'metrics',
    title: 'metrics (Prometheus, scraped every 1 s)',
    targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
  },
  tracing: {
    id: 'tracing',
    contestant: 'tracing',
    title: 'tracing (OTLP/HTTP, every request sampled)',
    targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
  },
  'sampled-tracing': {
    id: 'sampled-tracing',
    contestant: 'sampled-tracing',
    title: 'tracing (OTLP/HTTP, 10 % of traces sampled)',
    targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
  },
  logs: {
    id: 'logs',
    contestant: 'logs',
    title: 'access logs (LOG_LEVEL=info)',
    targets: { cpuPerRequest: 1.05, p50DeltaMs: null },
  },
  // The performance issue's budget for all of it together.
  production: {
    id: 'production',
    contestant: 'production',
    title: 'production: security, metrics, 10 % tracing and access logs together',
    targets: { cpuPerRequest: 1.2, p50DeltaMs: 0.5 },
  },
};

/** The price of production security may cost (the callers' issue): per GraphQL request. */
export const SECURITY_TARGETS = PRICES.security.targets;

/**
 * One round, in order, for the configurations priced in a cell: a block of
 * four runs per configuration, the A/A control's first: gateway, X, X, gateway
 * (ABBA), X being gateway-b for the control. Each block starts two fresh
 * processes, the gateway and X, and gives each the same warm-up right before
 * its first run (see priceRounds), so that both sides of every pair have the
 * same history: a young gateway's CPU per request keeps falling for its first
 * 10 to 15 s of load, and a bare gateway shared by every block (as rounds had
 * before) was older, so cheaper, than each configuration it was compared with.
 * The two pairs of a block are (gateway, X) and (gateway, X) in reverse.
 */
export function priceRoundFor(prices: readonly PriceId[]): PriceContestant[] {
  return [
    ...block('gateway-b'),
    ...prices.flatMap((id): PriceContestant[] => block(PRICES[id].contestant)),
  ];
}

function block(contestant: PriceContestant): PriceContestant[] {
  return ['gateway', contestant, contestant, 'gateway'];
}

/** Runs per block of a round (see priceRoundFor). */
export const BLOCK_LENGTH = 4;

/** The round when only production security is priced. */
export const PRICE_ROUND: readonly PriceContestant[] = priceRoundFor(['security']);

/** Positions in `round` of each pair: [the bare gateway's run, the other's]. */
export function pairsOf(
  round: readonly PriceContestant[],
  contestant: PriceContestant,
): Array<readonly [number, number]> {
  const first = round.indexOf(contestant);
  if (first < 1 || contestant === 'gateway') return [];
  return [
    [first - 1, first],
    [first + 2, first + 1],
  ];
}

export interface PriceRun extends RunMeasurement {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  contestant: PriceContestant;
  /** 1, 2, … */
  round: number;
  /** Index in the cell's round (see priceRoundFor). */
  position: number;
  /** The gateway process measured (each round from the second on has fresh ones). */
  pid: number | null;
  /**
   * What loaded this process just before the run: its own previous run (the
   * same load, at least as long as a warm-up), a warm-up run of `--warmup`
   * seconds (the block's last run, the gateway's second), or, for the first
   * run of each process of a block (both are started afresh), a fresh warm-up
   * of `--price-warmup` seconds.
   */
  after: 'own previous run' | 'warm-up' | 'fresh warm-up';
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

/**
 * What shows the configuration was really on in its process during the
 * rounds, per request the process was sent (warm-ups included): spans the
 * OTLP sink received, access-log lines written, scrapes answered 200.
 */
export interface PriceEvidence {
  /** e.g. `spans received`. */
  what: string;
  count: number;
  /** Requests the process was sent in the cell (warm-ups included). */
  requests: number;
  perRequest: number;
  /** e.g. scrapes that did not answer 200. */
  failures?: number;
}

export interface BenchPrice {
  configuration: PriceId;
  contestant: PricedContestant;
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  /** Pairs of each kind (price and control). */
  pairs: number;
  /** The priced gateway against the gateway; null when not measured (see notMeasured). */
  price: PairedComparison | null;
  /** gateway-b against gateway: the same build and settings, so any difference is noise. */
  control: PairedComparison;
  /**
   * How far a median of this many pairs strays from the truth by noise alone,
   * as the control shows it (see noiseOf): what the price must clear its
   * target by.
   */
  noise: { cpuPerRequest: number | null; p50DeltaMs: number };
  /** The CPU target, and the p50 one for this scenario's unit (per GraphQL request × requests per unit). */
  targets: PriceTargets;
  verdict: { cpuPerRequest: PriceVerdict | null; p50: PriceVerdict | null };
  evidence?: PriceEvidence;
  /** Why there is no price, e.g. `no spans received` (tracing was off). */
  notMeasured?: string;
}

/**
 * The prices and the control per scenario and latency, from the rounds' runs.
 * `requestsPerUnit` gives a scenario's GraphQL requests per unit (a walk's
 * p50 covers each of them, and each pays the price).
 */
export function pricesOf(
  runs: readonly PriceRun[],
  requestsPerUnit: (scenario: ScenarioId) => number,
): BenchPrice[] {
  const groups = new Map<string, PriceRun[]>();
  for (const run of runs) {
    const key = `${run.scenario}@${run.upstreamLatencyMs}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const prices: BenchPrice[] = [];
  for (const group of groups.values()) {
    const first = group[0] as PriceRun;
    const round = group
      .filter((run) => run.round === first.round)
      .sort((a, b) => a.position - b.position)
      .map((run) => run.contestant);
    const control = compare(group, pairsOf(round, 'gateway-b'));
    if (!control) continue;
    const noise = {
      cpuPerRequest: control.cpuPerRequest ? noiseOf(control.cpuPerRequest, 1) : null,
      p50DeltaMs: noiseOf(control.p50DeltaMs, 0),
    };
    for (const configuration of PRICE_IDS.map((id) => PRICES[id])) {
      if (!round.includes(configuration.contestant)) continue;
      const price = compare(group, pairsOf(round, configuration.contestant));
      if (!price) continue;
      const { p50DeltaMs } = configuration.targets;
      const targets: PriceTargets = {
        cpuPerRequest: configuration.targets.cpuPerRequest,
        p50DeltaMs: p50DeltaMs === null ? null : p50DeltaMs * requestsPerUnit(first.scenario),
      };
      prices.push({
        configuration: configuration.id,
        contestant: configuration.contestant,
        scenario: first.scenario,
        upstreamLatencyMs: first.upstreamLatencyMs,
        pairs: price.p50DeltaMs.pairs.length,
        price,
        control,
        noise,
        targets,
        verdict: {
          cpuPerRequest:
            price.cpuPerRequest && noise.cpuPerRequest !== null
              ? verdictOf(price.cpuPerRequest.median, noise.cpuPerRequest, targets.cpuPerRequest)
              : null,
          p50:
            targets.p50DeltaMs === null
              ? null
              : verdictOf(price.p50DeltaMs.median, noise.p50DeltaMs, targets.p50DeltaMs),
        },
      });
    }
  }
  return prices;
}

/**
 * `price` with what shows its configuration was on; when the evidence is
 * missing (`count` 0), no price: a gateway whose tracing never sent a span
 * measured a bare gateway, not tracing.
 */
export function withEvidence(
  price: BenchPrice,
  evidence: PriceEvidence,
  missing: string,
): BenchPrice {
  if (evidence.count > 0) return { ...price, evidence };
  return {
    ...price,
    evidence,
    price: null,
    verdict: { cpuPerRequest: null, p50: null },
    notMeasured: missing,
  };
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
