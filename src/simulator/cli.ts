/**
 * Runs the OneLogin simulator standalone: `npm run simulator -- --port 4010`, `--help` for flags.
 */
import { parseArgs } from 'node:util';
import { DEMO_CREDENTIALS } from './demoCredentials';
import { startSimulator } from './startSimulator';
import type { SimulatorOptions } from './types';

interface Flag {
  name: string;
  value: string;
  defaultValue: string;
  description: string;
  apply(options: SimulatorOptions, raw: string): void;
}

class UsageError extends Error {}

function number(name: string, raw: string, { integer = false, min = 0, max = Infinity } = {}) {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, not "${raw}"`);
  }
  if (value < min || value > max) {
    throw new UsageError(`--${name} must be from ${min} to ${max}, not ${raw}`);
  }
  return value;
}

function rate(
  key: 'errorRate' | 'rateLimitRate' | 'hangRate' | 'truncateRate' | 'dropRate',
  name: string,
  description: string,
): Flag {
  return {
    name,
    value: '<share>',
    defaultValue: '0',
    description,
    apply: (options, raw) => {
      options.faults = { ...options.faults, [key]: number(name, raw, { max: 1 }) };
    },
  };
}

const FLAGS: readonly Flag[] = [
  {
    name: 'host',
    value: '<address>',
    defaultValue: '127.0.0.1',
    description: 'interface to listen on (0.0.0.0 for all)',
    apply: (options, raw) => void (options.host = raw),
  },
  {
    name: 'port',
    value: '<port>',
    defaultValue: '4010',
    description: 'port to listen on (0 for any free port)',
    apply: (options, raw) =>
      void (options.port = number('port', raw, { integer: true, max: 65_535 })),
  },
  {
    name: 'seed',
    value: '<n>',
    defaultValue: '1',
    description: 'seed of the generated data',
    apply: (options, raw) => void (options.seed = number('seed', raw, { min: -Infinity })),
  },
  {
    name: 'events',
    value: '<n>',
    defaultValue: '20000',
    description: 'events spread over the last 30 days',
    apply: (options, raw) =>
      void (options.eventCount = number('events', raw, { integer: true, max: 5_000_000 })),
  },
  {
    name: 'live-events-per-minute',
    value: '<n>',
    defaultValue: '0',
    description: 'new events the account produces each minute (0: none)',
    apply: (options, raw) =>
      void (options.liveEventsPerMinute = number('live-events-per-minute', raw, { max: 6_000 })),
  },
  {
    name: 'failed-provisionings',
    value: '<n>',
    defaultValue: '300',
    description: 'failed provisionings spread over the last 30 days',
    apply: (options, raw) =>
      void (options.failedProvisioningCount = number('failed-provisionings', raw, {
        integer: true,
        max: 1_000_000,
      })),
  },
  {
    name: 'client-id',
    value: '<id>',
    defaultValue: DEMO_CREDENTIALS.clientId,
    description: 'OAuth client id accepted by /auth/oauth2/v2/token',
    apply: (options, raw) => void (options.clientId = raw),
  },
  {
    name: 'client-secret',
    value: '<secret>',
    defaultValue: DEMO_CREDENTIALS.clientSecret,
    description: 'OAuth client secret accepted with it',
    apply: (options, raw) => void (options.clientSecret = raw),
  },
  {
    name: 'api-key',
    value: '<key>',
    defaultValue: DEMO_CREDENTIALS.apiKey,
    description: 'legacy API key (HTTP Basic user) for /api/v1',
    apply: (options, raw) => void (options.apiKey = raw),
  },
  {
    name: 'token-lifetime',
    value: '<seconds>',
    defaultValue: '36000',
    description: 'access token lifetime',
    apply: (options, raw) =>
      void (options.tokenLifetimeSeconds = number('token-lifetime', raw, {
        integer: true,
        min: 1,
      })),
  },
  {
    name: 'rate-limit',
    value: '<calls>',
    defaultValue: '5000',
    description: 'account budget of /api/1 calls per hour',
    apply: (options, raw) =>
      void (options.rateLimitPerHour = number('rate-limit', raw, { integer: true })),
  },
  {
    name: 'latency',
    value: '<ms>',
    defaultValue: '0',
    description: 'added to every /api and /auth response',
    apply: (options, raw) => void (options.latencyMs = number('latency', raw, { max: 600_000 })),
  },
  {
    name: 'jitter',
    value: '<ms>',
    defaultValue: '0',
    description: 'random 0..ms added on top of --latency',
    apply: (options, raw) => void (options.jitterMs = number('jitter', raw, { max: 600_000 })),
  },
  rate('errorRate', 'error-rate', 'share of requests answered 500, 502 or 503'),
  rate('rateLimitRate', 'rate-limit-rate', 'share of requests answered 429 with Retry-After'),
  rate('hangRate', 'hang-rate', 'share of requests not answered (see --hang-ms)'),
  rate('truncateRate', 'truncate-rate', 'share of requests answered 200 with half the JSON'),
  rate('dropRate', 'drop-rate', 'share of requests whose connection is dropped'),
  {
    name: 'hang-ms',
    value: '<ms>',
    defaultValue: 'never',
    description: 'hung requests are answered after all, this late',
    apply: (options, raw) => {
      options.faults = { ...options.faults, hangMs: number('hang-ms', raw, { max: 600_000 }) };
    },
  },
  {
    name: 'rate-limit-burst',
    value: '<every>:<for>',
    defaultValue: 'none',
    description: '<for> ms of 429s (Retry-After 1, or :<s>) every <every> ms',
    apply: (options, raw) => {
      const parts = raw.split(':');
      if (parts.length < 2 || parts.length > 3) {
        throw new UsageError(
          `--rate-limit-burst must be <everyMs>:<forMs> or <everyMs>:<forMs>:<retryAfterSeconds>, not "${raw}"`,
        );
      }
      const [every, duration, retryAfter] = parts as [string, string, string | undefined];
      const everyMs = number('rate-limit-burst', every, { integer: true, min: 1, max: 3_600_000 });
      const forMs = number('rate-limit-burst', duration, { integer: true, min: 1 });
      if (forMs > everyMs) {
        throw new UsageError(
          `--rate-limit-burst: a burst (${forMs} ms) cannot outlast its period (${everyMs} ms)`,
        );
      }
      options.faults = {
        ...options.faults,
        rateLimitBurst: {
          everyMs,
          forMs,
          ...(retryAfter === undefined
            ? {}
            : {
                retryAfterSeconds: number('rate-limit-burst', retryAfter, {
                  integer: true,
                  max: 3_600,
                }),
              }),
        },
      };
    },
  },
];

export function usage(): string {
  const lines = FLAGS.map((flag) => {
    const left = `  --${flag.name} ${flag.value}`;
    return `${left.padEnd(36)}${flag.description} (default: ${flag.defaultValue})`;
  });
  return [
    'Usage: npm run simulator -- [flags]',
    '',
    'Simulates the OneLogin events APIs (/auth/oauth2, /api/1/events, legacy /api/v1).',
    'The default credentials are public demo values; the gateway accepts them in demo mode.',
    '',
    'Flags:',
    ...lines,
    `${'  --help'.padEnd(36)}print this help`,
    '',
    'Control endpoints: GET /__simulator/health, GET|DELETE /__simulator/counters,',
    'GET|PUT|DELETE /__simulator/faults, POST /__simulator/faults/inject, and, from this',
    'machine only, GET|PUT|DELETE /__simulator/outage (PUT {"kind":"drop"} or',
    '{"kind":"status","status":503}: every /api and /auth request fails so until DELETE).',
  ].join('\n');
}

/** SimulatorOptions from command-line arguments; throws UsageError on a bad flag. */
export function parseCliArguments(argv: string[]): SimulatorOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(FLAGS.map((flag) => [flag.name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return 'help';
  const options: SimulatorOptions = { port: 4010 };
  for (const flag of FLAGS) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[flag.name];
    if (typeof raw === 'string') flag.apply(options, raw);
  }
  return options;
}

async function main(): Promise<void> {
  const write = (stream: NodeJS.WriteStream) => (message: string) =>
    void stream.write(`${message}\n`);
  let options: SimulatorOptions | 'help';
  try {
    options = parseCliArguments(process.argv.slice(2));
  } catch (error) {
    write(process.stderr)(`${(error as Error).message}\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    write(process.stdout)(usage());
    return;
  }
  const simulator = await startSimulator({
    ...options,
    logger: { info: write(process.stdout), warn: write(process.stderr) },
  });
  write(process.stdout)(
    [
      `  client id:     ${options.clientId ?? DEMO_CREDENTIALS.clientId}`,
      `  client secret: ${options.clientSecret ?? DEMO_CREDENTIALS.clientSecret}`,
      `  API key:       ${options.apiKey ?? DEMO_CREDENTIALS.apiKey}`,
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    write(process.stdout)(`${signal}: stopping`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        write(process.stderr)(String(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
