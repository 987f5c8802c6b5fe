/**
 * The createEvent retry drill (issue 11): the gateway against the OneLogin
 * simulator, both in this process on loopback ports, with faults on the legacy
 * XML route, and clients that retry.
 *
 *   npm run idempotency-drill -- [--mutations 2700] [--baseline 300] [--rate 40]
 *     [--concurrency 24] [--after-write-rate 0.1] [--drop-rate 0.02] [--attempts 4] [--seed 1]
 *
 * Before each attempt a client injects, with the given chances, an `afterWrite`
 * 502 (OneLogin records the event, a proxy then answers 502) or a `drop` (the
 * connection is cut before OneLogin records anything) on `POST
 * /api/v1/events.xml`. An injected fault hits the next write, whoever sends it,
 * so the printed rates are the ones the simulator served. A client retries on
 * UPSTREAM_OUTCOME_UNKNOWN, UPSTREAM_UNAVAILABLE and UPSTREAM_TIMEOUT (and
 * after IDEMPOTENCY_KEY_IN_USE's retryAfterSeconds), up to `--attempts` in all.
 * New mutations start at `--rate` a second (0: as fast as the clients go), all
 * on one OneLogin account: a look-up after an unknown outcome reads every
 * event of the type (and user) written around the same time, so the rate
 * decides how long look-ups are.
 *
 * Two phases: a baseline of clients that retry without a key (what issue 11
 * measured), then the drill proper with one idempotency key per event. Each
 * event carries a unique custom message, so the simulator's records tell what
 * was written: duplicates (recorded more than once) and lost events (answered
 * as a success but not recorded).
 */
import { parseArgs } from 'node:util';

import { loadConfig } from '../src/config/loadConfig';
import { createSilentLogger } from '../src/logging/createLogger';
import { startGateway } from '../src/server/startGateway';
import { DEMO_CREDENTIALS, startSimulator } from '../src/simulator';
import type { SimulatorHandle } from '../src/simulator';
import { createRandom, type Random } from '../src/simulator/createRandom';

const XML_POST = 'POST /api/v1/events.xml';
const RETRIED = new Set(['UPSTREAM_OUTCOME_UNKNOWN', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']);
const EVENT_TYPES = ['5', '9', '13'];

const CREATE = `
  mutation Create($input: CreateEventInput!) {
    createEvent(input: $input) { outcome replayed event { eventTypeId recordedAt } }
  }
`;

interface Options {
  mutations: number;
  baseline: number;
  rate: number;
  concurrency: number;
  afterWriteRate: number;
  dropRate: number;
  attempts: number;
  seed: number;
}

interface PhaseResult {
  mutations: number;
  attempts: number;
  retries: number;
  unknownOutcomes: number;
  /** Of those, look-ups that read as much as they may and could not tell (nothing was written). */
  undecided: number;
  /** Errors by code, every attempt. */
  errors: Map<string, number>;
  outcomes: { created: number; found: number; replayed: number };
  /** Mutations whose client got a success in the end. */
  succeeded: number;
  /** Mutations whose client gave up (attempts spent, or an error it does not retry). */
  gaveUp: number;
  writes: number;
  afterWrite502: number;
  dropped: number;
  recorded: number;
  duplicates: number;
  lost: number;
  /** Gave up, yet recorded: what the client was told failed. */
  recordedDespiteFailure: number;
  seconds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      mutations: { type: 'string', default: '2700' },
      baseline: { type: 'string', default: '300' },
      rate: { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '24' },
      'after-write-rate': { type: 'string', default: '0.1' },
      'drop-rate': { type: 'string', default: '0.02' },
      attempts: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`--${name} must be a number from ${min} to ${max}`);
    }
    return value;
  };
  const options = {
    mutations: number('mutations', 0, 100_000),
    baseline: number('baseline', 0, 100_000),
    rate: number('rate', 0, 100_000),
    concurrency: number('concurrency', 1, 256),
    afterWriteRate: number('after-write-rate', 0, 1),
    dropRate: number('drop-rate', 0, 1),
    attempts: number('attempts', 1, 20),
    seed: number('seed', 0, 2 ** 31 - 1),
  };
  if (options.afterWriteRate + options.dropRate > 1) {
    throw new RangeError('--after-write-rate and --drop-rate must add up to at most 1');
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const simulator = await startSimulator({ eventCount: 2000, seed: options.seed });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ONELOGIN_BASE_URL: simulator.url,
    ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    ONELOGIN_LEGACY_BASE_URL: simulator.url,
    ONELOGIN_API_KEY: DEMO_CREDENTIALS.apiKey,
    // One address sends every mutation: the per-caller limits would throttle the drill.
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
    RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '1000000',
    LOG_LEVEL: 'silent',
  });
  const gateway = await startGateway({ config, logger: createSilentLogger() });
  const users = simulator.data
    .events()
    .map((event) => event.user_id)
    .filter((id): id is number => id !== null);
  const userIds = [...new Set(users)].slice(0, 60).map(String);
  try {
    process.stdout.write(
      `createEvent retry drill: ${options.baseline} mutations without a key, then ${options.mutations} with one; ` +
        `faults on ${XML_POST} before each attempt: afterWrite 502 ${pct(options.afterWriteRate)}, drop ${pct(options.dropRate)}; ` +
        `${options.concurrency} clients, up to ${options.attempts} attempts each, ` +
        `${options.rate > 0 ? `${options.rate} new mutations a second` : 'as fast as they go'}\n\n`,
    );
    const phases: Array<[string, boolean, number]> = [
      ['without idempotencyKey (baseline)', false, options.baseline],
      ['with idempotencyKey', true, options.mutations],
    ];
    const results: Array<[string, PhaseResult]> = [];
    for (const [name, keyed, mutations] of phases) {
      if (mutations === 0) continue;
      const result = await runPhase({
        gatewayURL: gateway.url,
        simulator,
        options,
        keyed,
        mutations,
        userIds,
        random: createRandom(options.seed, `drill:${name}`),
        prefix: `drill ${keyed ? 'keyed' : 'unkeyed'} ${Date.now()}`,
      });
      results.push([name, result]);
    }
    process.stdout.write(renderTable(results));
    const keyed = results.find(([name]) => name === 'with idempotencyKey')?.[1];
    if (keyed && (keyed.duplicates > 0 || keyed.lost > 0)) {
      process.stdout.write('\nFAILED: duplicates and lost events must both be 0 with a key.\n');
      process.exitCode = 1;
    }
  } finally {
    await gateway.stop();
    await simulator.close();
  }
}

async function runPhase(phase: {
  gatewayURL: string;
  simulator: SimulatorHandle;
  options: Options;
  keyed: boolean;
  mutations: number;
  userIds: string[];
  random: Random;
  prefix: string;
}): Promise<PhaseResult> {
  const { simulator, options, random } = phase;
  simulator.faults.clear();
  simulator.counters.reset();
  const result: PhaseResult = {
    mutations: phase.mutations,
    attempts: 0,
    retries: 0,
    unknownOutcomes: 0,
    undecided: 0,
    errors: new Map(),
    outcomes: { created: 0, found: 0, replayed: 0 },
    succeeded: 0,
    gaveUp: 0,
    writes: 0,
    afterWrite502: 0,
    dropped: 0,
    recorded: 0,
    duplicates: 0,
    lost: 0,
    recordedDespiteFailure: 0,
    seconds: 0,
  };
  const succeeded = new Set<string>();
  const gaveUp = new Set<string>();
  const started = performance.now();
  let next = 0;

  const injectFault = () => {
    const roll = random.next();
    if (roll < options.afterWriteRate) {
      simulator.faults.inject({ kind: 'afterWrite', status: 502, route: XML_POST });
    } else if (roll < options.afterWriteRate + options.dropRate) {
      simulator.faults.inject({ kind: 'drop', route: XML_POST });
    }
  };

  const client = async () => {
    for (let index = next++; index < phase.mutations; index = next++) {
      if (options.rate > 0) {
        const due = started + (index / options.rate) * 1000 - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      const customMessage = `${phase.prefix} #${index}`;
      const userId = random.chance(0.8) ? random.pick(phase.userIds) : undefined;
      const input = {
        eventTypeId: random.pick(EVENT_TYPES),
        customMessage,
        ...(userId === undefined ? {} : { userId }),
        ...(random.chance(0.5) ? { ipAddress: `203.0.113.${random.int(1, 254)}` } : {}),
        ...(phase.keyed ? { idempotencyKey: `drill-${random.hex(32)}` } : {}),
      };
      for (let attempt = 1; ; attempt += 1) {
        injectFault();
        result.attempts += 1;
        if (attempt > 1) result.retries += 1;
        const answer = await send(phase.gatewayURL, input);
        if (answer.kind === 'ok') {
          succeeded.add(customMessage);
          if (answer.replayed) result.outcomes.replayed += 1;
          else if (answer.outcome === 'FOUND_RECORDED') result.outcomes.found += 1;
          else result.outcomes.created += 1;
          break;
        }
        result.errors.set(answer.code, (result.errors.get(answer.code) ?? 0) + 1);
        if (answer.code === 'UPSTREAM_OUTCOME_UNKNOWN') result.unknownOutcomes += 1;
        if (answer.code === 'UPSTREAM_OUTCOME_UNKNOWN' && answer.service === 'onelogin') {
          result.undecided += 1;
        }
        const again =
          RETRIED.has(answer.code) || (phase.keyed && answer.code === 'IDEMPOTENCY_KEY_IN_USE');
        if (!again || attempt >= options.attempts) {
          gaveUp.add(customMessage);
          break;
        }
        const waitMs =
          answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1000 : 20;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  result.seconds = (performance.now() - started) / 1000;
  simulator.faults.clear();

  const counts = new Map<string, number>();
  for (const event of simulator.data.events()) {
    const message = event.custom_message;
    if (message?.startsWith(`${phase.prefix} #`))
      counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  for (const count of counts.values()) {
    result.recorded += 1;
    result.duplicates += count - 1;
  }
  for (const message of succeeded) if (!counts.has(message)) result.lost += 1;
  for (const message of gaveUp) if (counts.has(message)) result.recordedDespiteFailure += 1;
  result.succeeded = succeeded.size;
  result.gaveUp = gaveUp.size;
  const route = simulator.counters.snapshot().byRoute[XML_POST];
  result.writes = route?.total ?? 0;
  result.afterWrite502 = route?.byStatus['502'] ?? 0;
  result.dropped = route?.byStatus['dropped'] ?? 0;
  return result;
}

type Answer =
  | { kind: 'ok'; outcome: string; replayed: boolean }
  | { kind: 'error'; code: string; service?: string; retryAfterSeconds?: number };

async function send(url: string, input: Record<string, unknown>): Promise<Answer> {
  let body: {
    data?: { createEvent?: { outcome: string; replayed: boolean } } | null;
    errors?: Array<{
      extensions?: { code?: string; retryAfterSeconds?: number; upstream?: { service?: string } };
    }>;
  };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: CREATE, variables: { input } }),
    });
    body = (await response.json()) as typeof body;
  } catch {
    // The gateway itself did not answer: as unknown as it gets.
    return { kind: 'error', code: 'UPSTREAM_OUTCOME_UNKNOWN' };
  }
  const created = body.data?.createEvent;
  if (created) return { kind: 'ok', outcome: created.outcome, replayed: created.replayed };
  const extensions = body.errors?.[0]?.extensions;
  return {
    kind: 'error',
    code: extensions?.code ?? 'NO_CODE',
    ...(extensions?.upstream?.service === undefined
      ? {}
      : { service: extensions.upstream.service }),
    ...(extensions?.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: extensions.retryAfterSeconds }),
  };
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

function renderTable(results: Array<[string, PhaseResult]>): string {
  const rows: Array<[string, (result: PhaseResult) => string]> = [
    ['mutations', (r) => String(r.mutations)],
    ['attempts (requests to the gateway)', (r) => String(r.attempts)],
    ['retries', (r) => String(r.retries)],
    ['unknown outcomes seen (UPSTREAM_OUTCOME_UNKNOWN)', (r) => String(r.unknownOutcomes)],
    ['  of which look-ups that could not tell', (r) => String(r.undecided)],
    ['other errors seen', (r) => errorsOtherThanUnknown(r)],
    ['writes sent to OneLogin (POST /api/v1/events.xml)', (r) => String(r.writes)],
    [
      '  of which afterWrite 502 / dropped',
      (r) =>
        `${r.afterWrite502} (${pct(r.afterWrite502 / Math.max(1, r.writes))}) / ${r.dropped} (${pct(r.dropped / Math.max(1, r.writes))})`,
    ],
    [
      'answers: created / found recorded / replayed',
      (r) => `${r.outcomes.created} / ${r.outcomes.found} / ${r.outcomes.replayed}`,
    ],
    ['clients that got a success / gave up', (r) => `${r.succeeded} / ${r.gaveUp}`],
    ['events recorded in the simulator', (r) => String(r.recorded)],
    ['duplicates (extra records of one event)', (r) => String(r.duplicates)],
    ['lost (a success answered, nothing recorded)', (r) => String(r.lost)],
    ['recorded although the client gave up', (r) => String(r.recordedDespiteFailure)],
    ['time', (r) => `${r.seconds.toFixed(1)} s`],
  ];
  const header = ['', ...results.map(([name]) => name)];
  const body = rows.map(([label, cell]) => [label, ...results.map(([, result]) => cell(result))]);
  const widths = header.map((_cell, column) =>
    Math.max(...[header, ...body].map((row) => (row[column] as string).length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...body.map(line),
  ]
    .map((row) => `${row}\n`)
    .join('');
}

function errorsOtherThanUnknown(result: PhaseResult): string {
  const others = [...result.errors].filter(([code]) => code !== 'UPSTREAM_OUTCOME_UNKNOWN');
  return others.length === 0 ? 'none' : others.map(([code, n]) => `${code} ${n}`).join(', ');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
