/**
 * The scale part of the report (bench/scale.ts) as Markdown tables, for the
 * terminal and for docs/BENCHMARKS.md's "Scale" section, where only the text
 * between the `bench:scale` markers is rewritten.
 */
import type { ScaleReport, ScaleRun } from './scale';

export const SCALE = { start: '<!-- bench:scale:start -->', end: '<!-- bench:scale:end -->' };

const SECTION = `## Scale

\`npm run bench\` writes the part between the \`bench:scale\` markers (\`--scale\` picks the parts); the rest of
this section is kept.

${SCALE.start}
${SCALE.end}
`;

function table(headers: string[], rows: string[][]): string {
  const numeric = headers.map(
    (_, column) => rows.length > 0 && rows.every((row) => /^[-+—\d.,× ]*$/.test(row[column] ?? '')),
  );
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, column) => (numeric[column] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '—' : value.toFixed(digits);
const cpu = (value: number | null) =>
  value === null
    ? '—'
    : value < 1
      ? value.toFixed(3)
      : value < 10
        ? value.toFixed(2)
        : value.toFixed(1);
const rate = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const ratio = (a: number | null, b: number | null) => (a === null || !b ? '—' : (a / b).toFixed(2));
const latency = (run: ScaleRun) => [run.latencyMs.p50.toFixed(1), run.latencyMs.p99.toFixed(1)];

export function renderScaleMarkdown(scale: ScaleReport): string {
  const lines: string[] = [
    `From \`${scale.command}\` on ${scale.date.slice(0, 10)}, gateway ${scale.gateway.commit}` +
      `${scale.gateway.uncommittedChanges ? ' with uncommitted changes in src/ or schema/' : ''}. ` +
      `At ${scale.upstreamLatencyMs} ms upstream latency, ${scale.connections} connections, each run ` +
      `${scale.durationS} s after a ${scale.warmupS} s warm-up of the same load; the scale part took ` +
      `${scale.elapsedS} s (start-up and checks included). Gateways from the same build and settings as the ` +
      'bare gateway, but for UPSTREAM_CALLS_PER_REQUEST_MAX=' +
      `${scale.gatewaySettings['UPSTREAM_CALLS_PER_REQUEST_MAX'] ?? '?'}: at its default, 50, an \`_entities\` ` +
      'batch of more than 50 `Event` representations is refused before it runs (the cost estimate counts a ' +
      'call per representation, cached or not). ' +
      'Upstream calls per request are counted at the simulator for one request alone (not an average); ' +
      'p50 and p99 over every answer of the run.',
  ];
  if (scale.pages) {
    lines.push(
      '',
      '### Pages',
      '',
      '`events(first: N)` with the 12 fields and `eventType { name }` of scenario 1, from ' +
        `${scale.pages.map((row) => `${row.checkedPages}`).join(', ')} different places in turn; ` +
        'before the runs, every one of those pages from the gateway was checked against the floor (field ' +
        'for field) and direct REST (the same events in order).',
      '',
      table(
        [
          'first',
          'Upstream calls/page',
          'Gateway req/s',
          'p50 ms',
          'p99 ms',
          'CPU ms/req',
          'CPU µs/event',
          'Floor req/s',
          'Floor p50 ms',
          'Floor p99 ms',
          'Floor CPU ms/req',
          'Floor CPU µs/event',
          'Gateway/floor CPU',
        ],
        scale.pages.map((row) => [
          String(row.first),
          row.upstreamCallsPerPage.gateway === row.upstreamCallsPerPage.floor
            ? String(row.upstreamCallsPerPage.gateway)
            : `${row.upstreamCallsPerPage.gateway} (floor ${row.upstreamCallsPerPage.floor})`,
          rate(row.gateway.requestsPerSecond),
          ...latency(row.gateway),
          cpu(row.gateway.cpuMsPerRequest),
          fixed(row.cpuUsPerEvent.gateway, 1),
          rate(row.floor.requestsPerSecond),
          ...latency(row.floor),
          cpu(row.floor.cpuMsPerRequest),
          fixed(row.cpuUsPerEvent.floor, 1),
          ratio(row.gateway.cpuMsPerRequest, row.floor.cpuMsPerRequest),
        ]),
      ),
    );
  }
  if (scale.entities) {
    lines.push(
      '',
      '### `_entities` batches',
      '',
      `\`_entities\` of N \`Event\` representations (\`{ __typename: "Event", id }\`) selecting the same fields: ` +
        `${scale.entities.case}. The load goes through the listed events N at a time; every batch was checked ` +
        'first (each entity the listed event with its id, field for field, in order). The floor has no ' +
        '`_entities`.',
      '',
      table(
        [
          'Representations',
          'Batches',
          'Upstream calls/req',
          'req/s',
          'p50 ms',
          'p99 ms',
          'CPU ms/req',
          'CPU µs/representation',
        ],
        scale.entities.rows.map((row) => [
          String(row.representations),
          String(row.batches),
          String(row.upstreamCallsPerRequest),
          rate(row.gateway.requestsPerSecond),
          ...latency(row.gateway),
          cpu(row.gateway.cpuMsPerRequest),
          fixed(row.cpuUsPerRepresentation, 1),
        ]),
      ),
    );
  }
  if (scale.replicas) {
    lines.push('', '### Replicas sharing Redis', '');
    if (!scale.replicas.measured) {
      lines.push(`Not measured: ${scale.replicas.reason}`);
    } else {
      const { replicas } = scale;
      lines.push(
        `Scenario 1 (50-event pages) over 1 to ${Math.max(...replicas.rows.map((row) => row.replicas))} gateway ` +
          `processes with REDIS_URL=${replicas.redis} and a fresh CACHE_NAMESPACE (${replicas.keysDeleted} keys ` +
          'deleted after), with the same load on each replica in every row: ' +
          `${replicas.rows[0] ? replicas.rows[0].connections / replicas.rows[0].replicas : '—'} connections per replica ` +
          "(connection i to replica i mod n), so that only what sharing adds can move a replica's CPU per request; every " +
          'replica answered the same pages as the first, checked against the floor and direct REST. Per ' +
          "replica: its CPU over the requests sent to it. Redis's CPU is the whole server's (other clients " +
          'included).',
        '',
        table(
          [
            'Replicas',
            'Connections',
            'req/s',
            'p50 ms',
            'p99 ms',
            'CPU ms/req, all replicas',
            'CPU ms/req per replica',
            'Share of requests',
            'Redis CPU ms/req',
            'Upstream calls/req',
          ],
          replicas.rows.map((row) => [
            String(row.replicas),
            String(row.connections),
            rate(row.requestsPerSecond),
            row.latencyMs.p50.toFixed(1),
            row.latencyMs.p99.toFixed(1),
            cpu(row.totalCpuMsPerRequest),
            row.cpuMsPerRequestByReplica.map(cpu).join(', '),
            row.requestShareByReplica.map((share) => `${(share * 100).toFixed(0)} %`).join(', '),
            cpu(row.redisCpuMsPerRequest),
            row.upstreamCallsPerRequest.toFixed(2),
          ]),
        ),
      );
    }
  }
  if (scale.warnings.length > 0) {
    lines.push('', '**Warnings:**', '', ...scale.warnings.map((warning) => `- ${warning}`));
  }
  return lines.join('\n');
}

/** `text` with the scale section's generated part replaced (the section added when missing). */
export function updateScaleMarkdown(text: string, scale: ScaleReport | undefined): string {
  if (!scale) return text;
  let out = text;
  if (!out.includes(SCALE.start)) out = `${out.trimEnd()}\n\n${SECTION}`;
  const start = out.indexOf(SCALE.start);
  const end = out.indexOf(SCALE.end);
  if (start < 0 || end < start) throw new Error(`Malformed markers ${SCALE.start} … ${SCALE.end}`);
  return `${out.slice(0, start + SCALE.start.length)}\n\n${renderScaleMarkdown(scale)}\n\n${out.slice(end)}`;
}
