/**
 * The fault goals' report: a text table for the terminal, and the
 * "## Fault goals" section of docs/RESILIENCE.md (the rest of that file
 * belongs to others and is kept as it is).
 */
import type { FaultGoalsReport, FaultScenarioResult, GoalResult } from './runFaultGoals';
import { percent } from './runFaultGoals';

export const SECTION_HEADING = '## Fault goals';
/**
 * Everything in the section from this line on is written by hand (what the
 * numbers mean, what would fix a failed goal) and kept when the numbers are
 * regenerated.
 */
export const NOTES_MARKER =
  '<!-- Written by hand from here to the next "## " heading; npm run faults keeps it. -->';

const GOAL_TITLES: Readonly<Record<1 | 2 | 3 | 4, string>> = {
  1: '1. reads through 20 % upstream 5xx',
  2: '2. reads through 5 % hung calls',
  3: '3. reads through one-second 429 bursts',
  4: '4. OneLogin fully down, then back',
};

const SCENARIO_HEADERS = [
  'scenario',
  'upstream',
  'reads',
  'ok',
  'p50 ms',
  'p99 ms',
  'max ms',
  'in flight',
  'upstream calls',
  'calls/read',
  'failed reads by code',
] as const;

function scenarioRow(result: FaultScenarioResult): string[] {
  const failures = Object.entries(result.failures)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const byStatus = Object.entries(result.upstreamByStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  return [
    result.id,
    result.faults,
    String(result.reads),
    percent(result.succeeded / Math.max(1, result.reads)),
    result.latencyMs.p50.toFixed(0),
    result.latencyMs.p99.toFixed(0),
    result.latencyMs.max.toFixed(0),
    `${result.inFlight.mean.toFixed(1)} (≤ ${result.inFlight.peak})`,
    `${result.upstreamCalls} (${byStatus || 'none'})`,
    (result.upstreamCalls / Math.max(1, result.reads)).toFixed(3),
    failures || '–',
  ];
}

const GOAL_HEADERS = ['goal', 'scenario', 'check', 'target', 'measured', 'result'] as const;

function goalRows(report: FaultGoalsReport): string[][] {
  const rows: string[][] = [];
  for (const result of report.results) {
    const goal: GoalResult | undefined = result.goal;
    if (!goal) continue;
    for (const check of goal.checks) {
      rows.push([
        GOAL_TITLES[goal.number],
        result.id,
        check.name,
        check.target,
        check.measured,
        check.pass ? 'PASS' : 'FAIL',
      ]);
    }
  }
  return rows;
}

/** Whether every goal measured passed. */
export function allGoalsPass(report: FaultGoalsReport): boolean {
  return report.results.every((result) => result.goal?.pass ?? true);
}

export function renderFaultTable(report: FaultGoalsReport): string {
  const overrides = Object.entries(report.settings.gatewayOverrides);
  return [
    ...(overrides.length > 0
      ? [
          `Not the production defaults: ${overrides.map(([name, value]) => `${name}=${value}`).join(' ')}`,
          '',
        ]
      : []),
    textTable([...SCENARIO_HEADERS], report.results.map(scenarioRow)),
    '',
    textTable([...GOAL_HEADERS], goalRows(report)),
  ].join('\n');
}

/** The section, numbers and method, without the hand-written notes. */
export function renderFaultSection(report: FaultGoalsReport): string {
  const { machine, settings } = report;
  const minutes = Math.floor(report.elapsedS / 60);
  const seconds = Math.round(report.elapsedS - minutes * 60);
  const overrides = Object.entries(settings.gatewayOverrides)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const env = Object.entries(settings.gatewayEnv)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  return [
    SECTION_HEADING,
    '',
    "Issue 11's resilience goals, measured against the OneLogin simulator's fault modes by",
    '`bench/faultGoals.ts`. Reproduce with:',
    '',
    '```sh',
    report.command,
    '```',
    '',
    `Run on ${report.date} (${report.mode} run, ${minutes} min ${seconds} s).`,
    '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.platform}, ` +
      `Node ${machine.node}; load average ${machine.loadAverage.start} before, ${machine.loadAverage.end} after.`,
    `- Gateway: commit ${report.gateway.commit}` +
      (report.gateway.uncommittedChanges ? ' with uncommitted changes in src/ or schema/' : '') +
      ', compiled with tsconfig.build.json and run as `npm start` runs it, a fresh process per scenario, ' +
      `with \`${env}\` and the simulator's URL and demo credentials as \`ONELOGIN_*\`. ` +
      (overrides === ''
        ? 'Every `UPSTREAM_*` is at its production default'
        : `**Not the production defaults: also \`${overrides}\`** (an experiment); every other \`UPSTREAM_*\` at its default`) +
      '; caches in process memory (no `REDIS_URL`).',
    `- OneLogin: \`npm run simulator -- ${settings.simulatorArgs.join(' ')}\` (and a free port), a fresh ` +
      `process per scenario: ${settings.upstreamLatencyMs} ms plus 0–${settings.upstreamJitterMs} ms per call; ` +
      "the account's hourly budget raised so that this load never spends it.",
    `- Load: ${settings.ratePerSecond} reads started a second, on schedule whether or not the earlier ones ` +
      `have finished (an open loop, as from many clients; at most ${settings.maxInFlight} in flight): ` +
      "half `events(first: 20)` pages (each with its own `until`, or the next page after a page's " +
      '`endCursor`), half `event(id)` of ids no page shows, each id once, so every read needs OneLogin. A read ' +
      'succeeds when it answers HTTP 200 with its data and no `errors`; latency is over every read.',
    `- Each scenario: one warm-up read (the token and the event-type catalogue), then ${settings.leadInS} s of ` +
      'the load without faults, not measured (the retry budget and the circuits see a gateway that has been ' +
      "serving); then the simulator's counters reset, the fault switched on through its control API " +
      '(`PUT /__simulator/faults`; the outages `PUT` and `DELETE /__simulator/outage`), and the reads from ' +
      "then on measured. Upstream calls are the simulator's counters (hung and reset calls included). The " +
      `outages: ${settings.outage.healthyS} s healthy, ${settings.outage.downS} s down, ` +
      `${settings.outage.recoveryS} s back; the circuits' state is read from the gateway's \`/healthz\` ` +
      'every 200 ms.',
    '',
    markdownTable([...SCENARIO_HEADERS], report.results.map(scenarioRow)),
    '',
    markdownTable([...GOAL_HEADERS], goalRows(report)),
    '',
  ].join('\n');
}

/**
 * `existing` (the whole file, or undefined) with the section replaced by
 * `section`, the hand-written notes after NOTES_MARKER kept; other sections untouched.
 */
export function updateFaultSection(existing: string | undefined, section: string): string {
  const text = existing ?? '# Resilience\n';
  const start = text.indexOf(`${SECTION_HEADING}\n`);
  if (start < 0) return `${text.trimEnd()}\n\n${section}\n${NOTES_MARKER}\n`;
  const nextHeading = text.indexOf('\n## ', start + SECTION_HEADING.length);
  const end = nextHeading < 0 ? text.length : nextHeading + 1;
  const old = text.slice(start, end);
  const markerAt = old.indexOf(NOTES_MARKER);
  const notes = markerAt < 0 ? `${NOTES_MARKER}\n` : old.slice(markerAt);
  const rest = text.slice(end);
  return `${text.slice(0, start)}${section}\n${notes.trimEnd()}\n${rest === '' ? '' : `\n${rest}`}`;
}

function markdownTable(headers: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}
