import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEMO_CREDENTIALS } from '../../src/simulator';
import { parseCliArguments } from '../../src/simulator/cli';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'src/simulator/cli.ts');

/** `tsx src/simulator/cli.ts …`, as `npm run simulator -- …` runs it. */
function runCli(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitFor(read: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 200; i++) {
    const match = pattern.exec(read());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never printed ${pattern}: ${read()}`);
}

describe('npm run simulator', () => {
  it('--help lists every flag with its default, the demo credentials included', async () => {
    const run = runCli(['--help']);

    expect(await run.exit).toBe(0);
    for (const flag of [
      '--host <address>',
      '--port <port>',
      '--seed <n>',
      '--events <n>',
      '--failed-provisionings <n>',
      '--client-id <id>',
      '--client-secret <secret>',
      '--api-key <key>',
      '--token-lifetime <seconds>',
      '--rate-limit <calls>',
      '--latency <ms>',
      '--jitter <ms>',
      '--error-rate <share>',
      '--rate-limit-rate <share>',
      '--hang-rate <share>',
      '--truncate-rate <share>',
      '--drop-rate <share>',
      '--hang-ms <ms>',
      '--rate-limit-burst <every>:<for>',
      '--help',
    ]) {
      expect(run.output()).toContain(flag);
    }
    for (const value of [
      '(default: 4010)',
      '(default: 20000)',
      '(default: 36000)',
      '(default: 5000)',
      `(default: ${DEMO_CREDENTIALS.clientId})`,
      `(default: ${DEMO_CREDENTIALS.clientSecret})`,
      `(default: ${DEMO_CREDENTIALS.apiKey})`,
    ]) {
      expect(run.output()).toContain(value);
    }
  });

  it('refuses a bad flag with exit code 2', async () => {
    const run = runCli(['--port', 'eighty']);

    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/^--port must be an integer, not "eighty"/);
  });

  it('serves, prints where it listens, and stops on SIGTERM', async () => {
    const run = runCli([
      '--port',
      '0',
      '--events',
      '300',
      '--seed',
      '4',
      '--client-id',
      'cli-client',
    ]);
    try {
      const [, url] = await waitFor(
        run.output,
        /listening on (http:\/\/127\.0\.0\.1:\d+) \(300 events, seed 4\)/,
      );
      const health = await fetch(`${url}/__simulator/health`);
      const token = await fetch(`${url}/auth/oauth2/v2/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`cli-client:${DEMO_CREDENTIALS.clientSecret}`).toString('base64')}`,
        },
        body: '{"grant_type":"client_credentials"}',
      });

      expect([health.status, token.status]).toEqual([200, 200]);
      expect(run.output()).toContain('client id:     cli-client');
    } finally {
      run.child.kill('SIGTERM');
    }

    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('SIGTERM: stopping');
  });

  it('starts with the faults its flags ask for and stops on SIGINT', async () => {
    const run = runCli(['--port', '0', '--events', '10', '--error-rate', '1']);
    try {
      const [, url] = await waitFor(run.output, /listening on (http:\/\/[^ ]+) /);
      const answer = await fetch(`${url}/api/1/events/types`);

      expect([500, 502, 503]).toContain(answer.status);
    } finally {
      run.child.kill('SIGINT');
    }

    expect(await run.exit).toBe(0);
  });

  it.each<[string[], unknown]>([
    [
      ['--hang-rate', '0.05', '--hang-ms', '30000'],
      { port: 4010, faults: { hangRate: 0.05, hangMs: 30_000 } },
    ],
    [
      ['--rate-limit-burst', '10000:1000'],
      { port: 4010, faults: { rateLimitBurst: { everyMs: 10_000, forMs: 1_000 } } },
    ],
    [
      ['--rate-limit-burst', '10000:1000:2'],
      {
        port: 4010,
        faults: { rateLimitBurst: { everyMs: 10_000, forMs: 1_000, retryAfterSeconds: 2 } },
      },
    ],
  ])('reads %j', (argv, expected) => {
    expect(parseCliArguments(argv)).toEqual(expected);
  });

  it.each<[string[], string]>([
    [
      ['--rate-limit-burst', '10000'],
      '--rate-limit-burst must be <everyMs>:<forMs> or <everyMs>:<forMs>:<retryAfterSeconds>, not "10000"',
    ],
    [
      ['--rate-limit-burst', '1000:2000'],
      '--rate-limit-burst: a burst (2000 ms) cannot outlast its period (1000 ms)',
    ],
    [['--hang-ms', 'soon'], '--hang-ms must be a number, not "soon"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(message);
  });
});
