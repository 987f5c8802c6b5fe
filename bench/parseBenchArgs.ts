import { parseArgs } from 'node:util';

import type { PriceId } from './prices';
import { PRICE_IDS } from './prices';
import type { ScalePart } from './scale';
import { scaleParts } from './scale';
import type { PeerId } from './peers/peerIds';
import { parsePeers, PEER_DURATION_S, PEER_WARMUP_S } from './peers/peerIds';
import type { Scenario } from './scenarios';
import { selectScenarios } from './scenarios';

export interface BenchArgs {
  durationS: number;
  warmupS: number;
  connections: number;
  latencies: number[];
  scenarios: Scenario[];
  seed: number;
  eventCount: number;
  /** Price rounds per priced scenario and latency. */
  priceRounds: number;
  /** What the rounds price, each against the bare gateway. */
  prices: PriceId[];
  /**
   * Where the prices are measured: scenario number and latency pairs, every
   * cell measured, or by default scenario 1 at 20 ms where it is measured,
   * else every cell.
   */
  priceCells: 'default' | 'all' | Array<{ scenario: number; latencyMs: number }>;
  /** Seconds of each measured run of those rounds. */
  priceDurationS: number;
  /**
   * Seconds of heavier load (four times the connections) every process of a new stack gets
   * before its first scenario's warm-up: a young gateway's CPU per request keeps falling for
   * its first 10 to 15 s of load, and the first scenario measured would pay for it.
   */
  firstWarmupS: number;
  /** Seconds of load a price-round process gets before its first run (fresh processes warm slowly). */
  priceWarmupS: number;
  profile: boolean;
  /** `--quick` (or `--smoke`): short runs that check the harness, scale at its smallest sizes. */
  quick: boolean;
  /** The scale parts (bench/scale.ts) to run; none: `--scale none`. */
  scale: ScalePart[];
  /** The peers (bench/peers/peers.ts), measured after the contestants; [] with `--peers none`. */
  peers: PeerId[];
  /** Seconds of each peer run and of its warm-up. */
  peerDurationS: number;
  peerWarmupS: number;
  /** Where the JSON report goes. */
  jsonPath: string;
  /** The Markdown file whose generated sections are updated. */
  markdownPath: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Measures the gateway against direct REST calls and a minimal pass-through (the
floor), and against itself with production security on (secured: a JWT on every
request, rate limits consumed), each in its own process, against the OneLogin
simulator. Then prices configurations, each in a gateway process of its own
from the same build: production security, metrics (scraped every second),
tracing (to an OTLP sink in the bench, every request sampled, and 10 % of
traces sampled) and access logs
(LOG_LEVEL=info). Prices are read from interleaved rounds of short runs (each
priced gateway against the bare one, ABBA), with a second bare gateway against
the first in the same rounds as the A/A control: the noise next to the price.

  --duration <s>      seconds of each measured run (default 3; 1 with --quick)
  --warmup <s>        seconds of load before each measured run (default 1; 0.5 with --quick)
  --first-warmup <s>  seconds of load at four times the connections each contestant and peer gets
                      before the first scenario of each latency (default 3; 0 with --quick): a
                      young gateway's CPU per request keeps falling for its first 10 to 15 s
  --connections <n>   concurrent connections (default 8)
  --latencies <list>  simulator latency per upstream call in ms (default 0,20; 0 with --quick)
  --scenarios <list>  numbers or ids (default 1,2,3,4):
                        1 page50, 2 page10-all-fields, 3 event-by-id, 4 walk1000
  --seed <n>          simulator seed (default 1)
  --events <n>        simulator events (default 20000)
  --price-rounds <n>  price rounds per priced scenario and latency; each round gives two
                      pairs per price and two A/A pairs (default 1; 0 skips them)
  --prices <list>     what the rounds price (default security,metrics,tracing,
                      sampled-tracing,logs,production)
  --price-cells <list>  where the prices are measured, as scenario@latency (e.g. 1@20,3@0)
                      or all (default 1@20 where measured, else all)
  --price-duration <s>  seconds of each run of those rounds (default 1; 0.5 with --quick)
  --price-warmup <s>  seconds of load each process of a round gets before its first run in it
                      (default 2; 0.5 with --quick): a fresh gateway's CPU per request keeps
                      falling for its first 10 to 15 s of load (10 tells small prices apart)
  --profile           also profile the gateway, the secured gateway and one gateway per
                      observability price in --prices (node --cpu-prof) under the first
                      scenario of --scenarios at 0 ms: what each price spends in its own
                      code, per request
  --scale <list>      how cost grows with the work (default all, about a minute; none skips it):
                        pages (events first 10, 50, 200, 500), entities (_entities of 10,
                        100, 1000 Event representations), replicas (1, 2, 4 gateways
                        sharing the Redis at REDIS_URL, default redis://127.0.0.1:6379;
                        skipped when it does not answer); at 20 ms upstream latency when
                        measured, 2 s runs after 1 s warm-ups
  --peers <list>      peers measured after the contestants, their answers checked against
                      direct REST first: mesh (Hive Gateway over a Mesh OpenAPI supergraph),
                      apollo-rest (Apollo Server + RESTDataSource); default both, none to skip
  --peer-duration <s> seconds of each peer run (default ${PEER_DURATION_S}, after ${PEER_WARMUP_S} s of warm-up; 0.5 with --quick)
  --quick             a quick run that checks the harness, not a measurement (--smoke too):
                      1 s runs, scale at pages 10 and 500, entities 10 and 1000, replicas 1 and 2
  --out <file>        JSON report (default docs/benchmarks.json)
  --markdown <file>   Markdown report to update (default docs/BENCHMARKS.md)
  --help
`;

/** The bench's command line; throws with a usage hint for anything it cannot read. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      latencies: { type: 'string' },
      scenarios: { type: 'string' },
      seed: { type: 'string' },
      events: { type: 'string' },
      'price-rounds': { type: 'string' },
      'price-duration': { type: 'string' },
      'price-warmup': { type: 'string' },
      'first-warmup': { type: 'string' },
      prices: { type: 'string' },
      'price-cells': { type: 'string' },
      peers: { type: 'string' },
      'peer-duration': { type: 'string' },
      profile: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      scale: { type: 'string' },
      out: { type: 'string', default: 'docs/benchmarks.json' },
      markdown: { type: 'string', default: 'docs/BENCHMARKS.md' },
      help: { type: 'boolean', default: false },
    },
  });
  // --smoke is the older name of --quick.
  const smoke = values.quick || values.smoke;
  return {
    durationS: number('--duration', values.duration, smoke ? 1 : 3, 0.1, 600),
    warmupS: number('--warmup', values.warmup, smoke ? 0.5 : 1, 0, 600),
    firstWarmupS: number('--first-warmup', values['first-warmup'], smoke ? 0 : 3, 0, 600),
    connections: integer('--connections', values.connections, 8, 1, 1000),
    latencies: (values.latencies ?? (smoke ? '0' : '0,20'))
      .split(',')
      .map((latency) => integer('--latencies', latency.trim(), 0, 0, 10_000)),
    scenarios: selectScenarios(values.scenarios),
    seed: integer('--seed', values.seed, 1, 0, 2 ** 31 - 1),
    // Scenario 4 walks ten different 1,000-event stretches.
    eventCount: integer('--events', values.events, 20_000, 11_000, 1_000_000),
    priceRounds: integer('--price-rounds', values['price-rounds'], 1, 0, 100),
    prices: priceIds(values.prices),
    priceCells: priceCells(values['price-cells']),
    priceDurationS: number('--price-duration', values['price-duration'], smoke ? 0.5 : 1, 0.1, 600),
    priceWarmupS: number('--price-warmup', values['price-warmup'], smoke ? 0.5 : 2, 0, 600),
    profile: values.profile,
    quick: smoke,
    scale: scaleParts(values.scale),
    peers: parsePeers(values.peers),
    peerDurationS: number(
      '--peer-duration',
      values['peer-duration'],
      smoke ? 0.5 : PEER_DURATION_S,
      0.1,
      600,
    ),
    peerWarmupS: smoke ? 0.5 : PEER_WARMUP_S,
    jsonPath: values.out,
    markdownPath: values.markdown,
    help: values.help,
  };
}

function priceIds(raw: string | undefined): PriceId[] {
  if (raw === undefined) return [...PRICE_IDS];
  const wanted = raw.split(',').map((id) => id.trim());
  for (const id of wanted) {
    if (!(PRICE_IDS as readonly string[]).includes(id)) {
      throw new Error(`--prices takes ${PRICE_IDS.join(', ')} (got "${id}")`);
    }
  }
  // In the rounds' order, each once.
  return PRICE_IDS.filter((id) => wanted.includes(id));
}

function priceCells(raw: string | undefined): BenchArgs['priceCells'] {
  if (raw === undefined) return 'default';
  if (raw.trim() === 'all') return 'all';
  return raw.split(',').map((cell) => {
    const match = /^(\d+)@(\d+)$/.exec(cell.trim());
    if (!match) {
      throw new Error(
        `--price-cells takes scenario@latency items, e.g. 1@20, or all (got "${cell}")`,
      );
    }
    return { scenario: Number(match[1]), latencyMs: Number(match[2]) };
  });
}

function number(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${flag} must be a number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = number(flag, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new Error(`${flag} must be a whole number (got "${raw}")`);
  return value;
}
