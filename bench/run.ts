/**
 * `npm run bench`: the gateway against direct REST, the floor and itself with
 * production security on. Prints a table, writes the JSON report and updates
 * docs/BENCHMARKS.md. See USAGE.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parseBenchArgs, USAGE } from './parseBenchArgs';
import { renderTable, updateMarkdown } from './renderReport';
import { runBenchmarks } from './runBenchmarks';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const started = performance.now();
  const report = await runBenchmarks({
    ...args,
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    log: (line) =>
      process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  });
  process.stdout.write(`\n${renderTable(report)}\n`);

  mkdirSync(path.dirname(path.resolve(args.jsonPath)), { recursive: true });
  writeFileSync(args.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  let existing: string | undefined;
  try {
    existing = readFileSync(args.markdownPath, 'utf8');
  } catch {
    existing = undefined;
  }
  mkdirSync(path.dirname(path.resolve(args.markdownPath)), { recursive: true });
  writeFileSync(args.markdownPath, updateMarkdown(existing, report));
  process.stdout.write(`\nWrote ${args.jsonPath} and ${args.markdownPath}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // The stack and the cause: "fetch failed" alone does not say which fetch, or why.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
        (cause === undefined
          ? ''
          : `caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`),
    );
    process.exit(1);
  },
);
