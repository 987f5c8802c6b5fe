/**
 * `npm run bench:live`: delivery latency, memory per idle subscriber and
 * upstream calls of `Subscription.eventAdded`. Writes the JSON report and the
 * "Live events" section of docs/BENCHMARKS.md. See USAGE and runLiveBench.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { renderLiveSummary, updateLiveMarkdown } from './renderLiveReport';
import { FULL, QUICK, runLiveBench } from './runLiveBench';

export const USAGE = `Usage: npm run bench:live -- [options]

Measures Subscription.eventAdded with the gateway (from its build) in its own
process against the OneLogin simulator in another, subscribers over real
WebSockets (graphql-ws, one connection each) in this process:

  1. delivery latency (event created in the simulator → handled by the
     subscriber) at the default poll interval (10 s) and at 1 s;
  2. memory per idle subscriber (RSS and V8 heap with 0 and N subscribers);
  3. OneLogin calls with 0, 1, 100 and 1,000 subscribers at a 1 s interval,
     per poll and per hour at the default interval; again with two replicas
     sharing Redis when REDIS_URL is set.

About 3 minutes (4½ with REDIS_URL); --quick about 30 s.

  --quick             a smoke run: 1 s interval only, 50 subscribers, short windows
  --subscribers <n>   idle subscribers for the memory reading (default 1000; 50 with --quick)
  --out <file>        the JSON report (default docs/benchmarks-live.json)
  --markdown <file>   the Markdown file whose bench:live section is rewritten
                      (default docs/BENCHMARKS.md)
  --help              this text
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      subscribers: { type: 'string' },
      out: { type: 'string', default: 'docs/benchmarks-live.json' },
      markdown: { type: 'string', default: 'docs/BENCHMARKS.md' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const preset = values.quick ? QUICK : FULL;
  const idleSubscribers =
    values.subscribers === undefined ? preset.idleSubscribers : Number(values.subscribers);
  if (!Number.isInteger(idleSubscribers) || idleSubscribers < 1 || idleSubscribers > 20_000) {
    throw new Error(`--subscribers takes an integer from 1 to 20000 (got "${values.subscribers}")`);
  }
  const started = performance.now();
  const report = await runLiveBench({
    ...preset,
    idleSubscribers,
    redisURL: process.env['REDIS_URL'] || undefined,
    command: `npm run bench:live${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    log: (line) =>
      process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  });
  process.stdout.write(`\n${renderLiveSummary(report)}\n`);

  const jsonPath = values.out;
  const markdownPath = values.markdown;
  mkdirSync(path.dirname(path.resolve(jsonPath)), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  let existing: string | undefined;
  try {
    existing = readFileSync(markdownPath, 'utf8');
  } catch {
    existing = undefined;
  }
  mkdirSync(path.dirname(path.resolve(markdownPath)), { recursive: true });
  writeFileSync(markdownPath, updateLiveMarkdown(existing, report));
  process.stdout.write(`\nWrote ${jsonPath} and ${markdownPath}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:live failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
