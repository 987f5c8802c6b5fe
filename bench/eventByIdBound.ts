/**
 * `npm run bench:bound`: what `event(id)` from memory costs on Apollo Server
 * alone, beside the floor and the gateway (issue 14's goal: the gateway at
 * ≥ 0.5 × the floor's throughput and ≤ 2 × its CPU per request).
 *
 * One simulator at 0 ms upstream latency; the floor (floor.ts), the Apollo
 * bound with graphql-js and with the gateway's graphql-jit executor
 * (apolloBound.ts: the floor's upstream side and cache behind Apollo Server
 * and nothing else) and the bare gateway as the bench runs it, each in its own
 * process. Every contestant's answers for the 50 ids are checked against the
 * floor's first; then each gets a warm-up, and the measured runs go round the
 * contestants, `--rounds` times. Prints a Markdown table of the medians, with
 * each contestant's throughput and CPU per request against the floor's.
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';

import { buildGateway } from './buildGateway';
import { graphQL } from './checkRequests';
import type { RunMeasurement } from './measureRun';
import { measureRun } from './measureRun';
import { loadPlanFor } from './loadPlans';
import { median } from './prices';
import type { Target } from './loadPlans';
import { OPERATIONS, SCENARIOS } from './scenarios';
import type { Child } from './startChild';
import { freePort, startChild } from './startChild';
import { startFloor } from './startFloor';
import { BARE_GATEWAY_ENV, startGatewayChild } from './startGatewayChild';

const USAGE = `npm run bench:bound -- [--rounds <n>] [--duration <s>] [--warmup <s>] [--connections <n>]

  --rounds <n>       measured runs per contestant, taken in turn (default 5)
  --duration <s>     seconds of each measured run (default 3)
  --warmup <s>       seconds of load each contestant gets first (default 10)
  --connections <n>  concurrent connections (default 8, as npm run bench)
`;

const CONTESTANTS = ['floor', 'apollo', 'apollo-jit', 'gateway'] as const;
type Contestant = (typeof CONTESTANTS)[number];
const LABELS: Record<Contestant, string> = {
  floor: 'floor (plain node:http, no GraphQL)',
  apollo: 'Apollo Server alone, graphql-js',
  'apollo-jit': "Apollo Server alone, the gateway's graphql-jit executor",
  gateway: 'the gateway (bare, as `npm run bench` runs it)',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const rounds = Number(values.rounds);
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const connections = Number(values.connections);
  if (![rounds, durationS, warmupS, connections].every((value) => value > 0)) {
    throw new Error(`every option takes a positive number\n\n${USAGE}`);
  }
  const scenario = SCENARIOS.find((candidate) => candidate.id === 'event-by-id');
  if (!scenario) throw new Error('no event-by-id scenario');

  const log = (line: string) => process.stderr.write(`${line}\n`);
  log('building the gateway');
  const entry = buildGateway('bound');
  const children: Child[] = [];
  try {
    const simulator = await startChild({
      name: 'simulator',
      entry: 'bench/simulatorProcess.ts',
      args: [
        JSON.stringify({ seed: 1, eventCount: 20_000, latencyMs: 0, now: Date.UTC(2026, 0, 1) }),
      ],
      ready: { kind: 'ipc' },
    });
    children.push(simulator);
    const started = await Promise.all([
      startFloor(simulator.url),
      startFloor(simulator.url, 'apollo'),
      startFloor(simulator.url, 'apollo-jit'),
      freePort().then((port) =>
        startGatewayChild({
          name: 'gateway',
          entry,
          port,
          simulatorURL: simulator.url,
          nodeFlags: ['--enable-source-maps', '--no-memory-reducer'],
          env: BARE_GATEWAY_ENV,
        }),
      ),
    ]);
    children.push(...started);
    const byName = Object.fromEntries(
      CONTESTANTS.map((name, index) => [name, started[index] as Child]),
    ) as Record<Contestant, Child>;

    const targetOf = (name: Contestant): Target => ({
      contestant: name === 'gateway' ? 'gateway' : 'floor',
      url: byName[name].url,
    });
    // The ids of the newest page, from the floor; every contestant must answer each alike
    // (the data: the gateway's answers also say what they cost, in `extensions.cost`).
    const page = (await graphQL(targetOf('floor'), OPERATIONS.page.query, { first: 50 })) as {
      events: { nodes: Array<{ id: string }> };
    };
    const ids = page.events.nodes.map((node) => node.id);
    if (ids.length !== 50) throw new Error(`the newest page had ${ids.length} events, not 50`);
    for (const id of ids) {
      const expected = await graphQL(targetOf('floor'), OPERATIONS.event.query, { id });
      for (const name of CONTESTANTS.slice(1)) {
        const got = await graphQL(targetOf(name), OPERATIONS.event.query, { id });
        if (!isDeepStrictEqual(got, expected)) {
          throw new Error(
            `${name} answered event(id: ${id}) otherwise than the floor:\n${JSON.stringify(got)}\n${JSON.stringify(expected)}`,
          );
        }
      }
    }
    log(`checked: the four answer event(id) alike for the ${ids.length} ids of the newest page`);

    const run = (name: Contestant, seconds: number) =>
      measureRun(
        loadPlanFor(scenario, targetOf(name), { ids, starts: [null] }),
        { durationS: seconds, connections },
        {
          contestantPid: byName[name].pid,
          simulatorPid: simulator.pid,
          simulatorURL: simulator.url,
        },
      );
    for (const name of CONTESTANTS) {
      log(`warming ${name} up for ${warmupS} s`);
      await run(name, warmupS);
    }
    const runs: Record<Contestant, RunMeasurement[]> = {
      floor: [],
      apollo: [],
      'apollo-jit': [],
      gateway: [],
    };
    for (let round = 1; round <= rounds; round += 1) {
      const line: string[] = [];
      for (const name of CONTESTANTS) {
        const measured = await run(name, durationS);
        if (measured.errors > 0)
          throw new Error(`${name}: ${measured.errors} errors (${measured.firstError})`);
        runs[name].push(measured);
        line.push(
          `${name} ${measured.requestsPerSecond.toFixed(0)}/s ${measured.cpuMsPerRequest?.toFixed(3)} ms`,
        );
      }
      log(`round ${round}/${rounds}: ${line.join(', ')}`);
    }
    process.stdout.write(renderTable(runs, { rounds, durationS, warmupS, connections }));
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

function renderTable(
  runs: Record<Contestant, RunMeasurement[]>,
  settings: { rounds: number; durationS: number; warmupS: number; connections: number },
): string {
  const rate = (name: Contestant) => median(runs[name].map((run) => run.requestsPerSecond));
  const cpu = (name: Contestant) =>
    median(runs[name].map((run) => run.cpuMsPerRequest ?? Number.NaN));
  const p50 = (name: Contestant) => median(runs[name].map((run) => run.latencyMs.p50));
  const rows = CONTESTANTS.map((name) =>
    [
      LABELS[name],
      rate(name).toFixed(0),
      (rate(name) / rate('floor')).toFixed(2),
      (cpu(name) * 1000).toFixed(0),
      (cpu(name) / cpu('floor')).toFixed(2),
      p50(name).toFixed(2),
    ].join(' | '),
  );
  return [
    '',
    `\`event(id)\` from memory at 0 ms upstream latency, ${settings.connections} connections: medians of ${settings.rounds} runs of ${settings.durationS} s each, taken in turn after a ${settings.warmupS} s warm-up each (\`npm run bench:bound -- --rounds ${settings.rounds} --duration ${settings.durationS} --warmup ${settings.warmupS}\`).`,
    '',
    '| Contestant | req/s | × floor | CPU µs/req | × floor | p50 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:bound failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
