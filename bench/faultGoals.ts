/**
 * `npm run faults`: issue 11's resilience goals, measured against the
 * simulator's fault modes (see runFaultGoals.ts). Prints a table and updates
 * the "## Fault goals" section of docs/RESILIENCE.md. See USAGE.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
  allGoalsPass,
  renderFaultSection,
  renderFaultTable,
  updateFaultSection,
} from './renderFaultGoals';
import type { FaultScenario, RunMode } from './runFaultGoals';
import { FAULT_SCENARIOS, runFaultGoals } from './runFaultGoals';

export const USAGE = `Usage: npm run faults -- [options]

Measures issue 11's fault goals: for each scenario a fresh simulator and a fresh
gateway (production build and configuration), each in its own process, a steady
load of reads, and one fault mode of the simulator:

  baseline      no faults: what a fault-free run costs (goal 1 compares with it)
  errors        goal 1: 20 % of upstream calls 5xx
  hangs         goal 2: 5 % of upstream calls never answered
  bursts        goal 3: every call 429 (Retry-After: 1) for 1 s, every 10 s
  outage-reset  goal 4: OneLogin down (connections reset), then back
  outage-503    goal 4: OneLogin down (503 from the load balancer), then back

  --quick              shorter scenarios (about 1.5 minutes in all instead of 3)
  --smoke              a few seconds per scenario: checks the harness, measures nothing
  --scenarios <list>   ids, comma-separated (default all; errors brings the baseline)
  --rate <n>           reads started per second, on schedule whether or not the
                       earlier ones have finished (default 200: about 7 in flight)
  --max-in-flight <n>  a read due while this many are in flight waits (default 256)
  --latency <ms>       the simulator's latency per upstream call (default 20)
  --jitter <ms>        plus a random 0..ms (default 10)
  --seed <n>           the simulator's seed (default 1)
  --env <NAME=VALUE>   also set this in the gateway's environment (repeatable), to try
                       another setting, e.g. --env UPSTREAM_RETRIES=4; the report says so
  --markdown <file>    the file whose "## Fault goals" section is written
                       (default docs/RESILIENCE.md)
  --strict             exit with 1 when a goal fails (default: 0, the numbers are the result)
  --help
`;

export interface FaultGoalsArgs {
  mode: RunMode;
  scenarios: FaultScenario[];
  ratePerSecond: number;
  maxInFlight: number;
  latencyMs: number;
  jitterMs: number;
  seed: number;
  /** Extra gateway environment (--env), for experiments. */
  gatewayEnv: Record<string, string>;
  markdownPath: string;
  strict: boolean;
  help: boolean;
}

export function parseFaultGoalsArgs(argv: readonly string[]): FaultGoalsArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      'max-in-flight': { type: 'string' },
      rate: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      seed: { type: 'string' },
      env: { type: 'string', multiple: true },
      markdown: { type: 'string', default: 'docs/RESILIENCE.md' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  return {
    mode: values.smoke ? 'smoke' : values.quick ? 'quick' : 'full',
    scenarios: selectScenarios(values.scenarios),
    ratePerSecond: integer('--rate', values.rate, 200, 1, 5_000),
    maxInFlight: integer('--max-in-flight', values['max-in-flight'], 256, 1, 10_000),
    latencyMs: integer('--latency', values.latency, 20, 0, 10_000),
    jitterMs: integer('--jitter', values.jitter, 10, 0, 10_000),
    seed: integer('--seed', values.seed, 1, 0, 2 ** 31 - 1),
    gatewayEnv: Object.fromEntries(
      (values.env ?? []).map((pair) => {
        const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
        if (!match) throw new Error(`--env must be NAME=VALUE (got "${pair}")`);
        return [match[1] as string, match[2] as string];
      }),
    ),
    markdownPath: values.markdown,
    strict: values.strict,
    help: values.help,
  };
}

function selectScenarios(raw: string | undefined): FaultScenario[] {
  if (raw === undefined) return [...FAULT_SCENARIOS];
  const ids = new Set(raw.split(',').map((id) => id.trim()));
  for (const id of ids) {
    if (!FAULT_SCENARIOS.some((scenario) => scenario.id === id)) {
      throw new Error(
        `--scenarios: no scenario "${id}"; known: ${FAULT_SCENARIOS.map((s) => s.id).join(', ')}`,
      );
    }
  }
  // Goal 1's call ratio is against a fault-free run.
  if (ids.has('errors')) ids.add('baseline');
  return FAULT_SCENARIOS.filter((scenario) => ids.has(scenario.id));
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseFaultGoalsArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const report = await runFaultGoals({
    mode: args.mode,
    scenarios: args.scenarios,
    ratePerSecond: args.ratePerSecond,
    maxInFlight: args.maxInFlight,
    upstreamLatencyMs: args.latencyMs,
    upstreamJitterMs: args.jitterMs,
    seed: args.seed,
    gatewayEnv: args.gatewayEnv,
    command: `npm run faults${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    log: (line) =>
      process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  });
  process.stdout.write(`\n${renderFaultTable(report)}\n`);

  let existing: string | undefined;
  try {
    existing = readFileSync(args.markdownPath, 'utf8');
  } catch {
    existing = undefined;
  }
  mkdirSync(path.dirname(path.resolve(args.markdownPath)), { recursive: true });
  writeFileSync(args.markdownPath, updateFaultSection(existing, renderFaultSection(report)));
  const pass = allGoalsPass(report);
  process.stdout.write(
    `\nWrote the "## Fault goals" section of ${args.markdownPath} ` +
      `(${report.elapsedS.toFixed(0)} s). ${pass ? 'Every goal passed.' : 'Some goals FAILED.'}\n`,
  );
  return args.strict && !pass ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `faults failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
