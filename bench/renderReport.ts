/**
 * The report as a console table and as the generated parts of
 * docs/BENCHMARKS.md. Only the text between the `bench:*` markers is
 * rewritten, so the hand-written analysis and history around it stay.
 */
import type { ProfileComparison } from './analyzeProfile';
import type { ContestantId } from './loadPlans';
import { CONTESTANT_LABELS } from './loadPlans';
import { peerLabel } from './peers/peerIds';
import { PEER_RATIO_HEADERS, peerRatioRows, peersNote } from './peers/renderPeers';
import type { BenchProfile, BenchReport, ObservabilityProfile } from './runBenchmarks';
import type { BenchPrice, PairedFigure, PriceVerdict } from './prices';
import { PRICES } from './prices';
import { renderScaleMarkdown, updateScaleMarkdown } from './renderScale';
import type { ScenarioId } from './scenarios';
import { SCENARIOS } from './scenarios';

const RESULTS = { start: '<!-- bench:results:start -->', end: '<!-- bench:results:end -->' };
const PROFILE = { start: '<!-- bench:profile:start -->', end: '<!-- bench:profile:end -->' };

const NEW_FILE = `# Benchmarks

\`npm run bench\` (bench/run.ts) writes the parts between the \`bench:\` markers; the rest of this file is kept.

${RESULTS.start}
${RESULTS.end}

## Where the time goes

${PROFILE.start}
${PROFILE.end}
`;

const HEADERS = [
  'Scenario',
  'Upstream',
  'Contestant',
  'req/s',
  'p50 ms',
  'p99 ms',
  'CPU ms/req',
  'Peak RSS MB',
  'Upstream calls/req',
  'Simulator CPU ms/req',
];

/** One row per scenario, latency and contestant. */
function rows(report: BenchReport): string[][] {
  return report.results.map((result, index) => {
    const previous = report.results[index - 1];
    const scenario = report.scenarios.find((candidate) => candidate.id === result.scenario);
    const newGroup =
      !previous ||
      previous.scenario !== result.scenario ||
      previous.upstreamLatencyMs !== result.upstreamLatencyMs;
    return [
      newGroup && scenario
        ? `${scenario.number} ${scenario.id}${scenario.unit === 'walk' ? ' (per walk)' : ''}`
        : '',
      newGroup ? `${result.upstreamLatencyMs} ms` : '',
      peerLabel(result.contestant) ?? CONTESTANT_LABELS[result.contestant as ContestantId],
      rate(result.requestsPerSecond),
      result.latencyMs.p50.toFixed(2),
      result.latencyMs.p99.toFixed(2),
      result.cpuMsPerRequest === null ? '—' : cpu(result.cpuMsPerRequest),
      result.peakRssMB === null ? '—' : result.peakRssMB.toFixed(0),
      result.upstreamCallsPerRequest.toFixed(2),
      cpu(result.simulatorCpuMsPerRequest),
    ];
  });
}

function ratioRows(report: BenchReport): string[][] {
  return report.ratios.map((ratio) => {
    const scenario = report.scenarios.find((candidate) => candidate.id === ratio.scenario);
    return [
      scenario ? `${scenario.number} ${scenario.id}` : ratio.scenario,
      `${ratio.upstreamLatencyMs} ms`,
      ratio.throughput.toFixed(2),
      ratio.cpuPerRequest === null ? '—' : ratio.cpuPerRequest.toFixed(2),
      signed(ratio.p50DeltaMs),
    ];
  });
}

const RATIO_HEADERS = [
  'Scenario',
  'Upstream',
  'Gateway/floor throughput',
  'Gateway/floor CPU per req',
  'Gateway − floor p50 (ms)',
];

const PRICE_HEADERS = [
  'Price of',
  'Scenario',
  'Upstream',
  'Pairs',
  'CPU per req, priced/gateway',
  'A/A CPU per req',
  'Target',
  'Met',
  'p50, priced − gateway (ms)',
  'A/A p50 (ms)',
  'Target',
  'Met',
  'Shown on by',
];

const VERDICTS: Readonly<Record<PriceVerdict, string>> = {
  met: 'yes',
  missed: 'no',
  'within noise': 'within noise',
};

/**
 * One row per price, scenario and latency: the median over the rounds' pairs
 * with their range, the A/A control's the same way, the targets, whether
 * each is met beyond the noise, and what shows the configuration was on.
 */
function priceRows(report: BenchReport): string[][] {
  return report.prices.map((price) => {
    const scenario = report.scenarios.find((candidate) => candidate.id === price.scenario);
    const walk = scenario?.unit === 'walk';
    const ratio = (figure: PairedFigure | null) =>
      figure === null
        ? '—'
        : `${figure.median.toFixed(3)} (${figure.min.toFixed(3)}–${figure.max.toFixed(3)})`;
    const difference = (figure: PairedFigure) =>
      `${signed(figure.median)} (${signed(figure.min)}…${signed(figure.max)})`;
    const verdict = (value: PriceVerdict | null) => (value === null ? '—' : VERDICTS[value]);
    const { targets } = price;
    return [
      price.configuration,
      scenario ? `${scenario.number} ${scenario.id}${walk ? ' (per walk)' : ''}` : price.scenario,
      `${price.upstreamLatencyMs} ms`,
      String(price.pairs),
      price.price ? ratio(price.price.cpuPerRequest) : `not measured: ${price.notMeasured ?? '?'}`,
      ratio(price.control.cpuPerRequest),
      `≤ ${targets.cpuPerRequest.toFixed(2)}`,
      verdict(price.verdict.cpuPerRequest),
      price.price ? difference(price.price.p50DeltaMs) : '—',
      difference(price.control.p50DeltaMs),
      targets.p50DeltaMs === null ? '—' : `≤ +${targets.p50DeltaMs.toFixed(2)}`,
      verdict(price.verdict.p50),
      evidenceOf(price),
    ];
  });
}

/** "3.00 spans received per request", "9 of 9 scrapes answered 200". */
function evidenceOf(price: BenchPrice): string {
  const { evidence } = price;
  if (price.configuration === 'security') return '401 without a token';
  if (!evidence) return '—';
  if (price.configuration === 'production') {
    return `${evidence.perRequest.toFixed(2)} ${evidence.what}`;
  }
  if (price.configuration === 'metrics') {
    return `${evidence.count} of ${evidence.count + (evidence.failures ?? 0)} scrapes answered 200`;
  }
  return `${evidence.perRequest.toFixed(2)} ${evidence.what} per request`;
}

/** How the prices were measured, for the report. */
function priceMethod(report: BenchReport): string {
  const { price, warmupS, durationS } = report.settings;
  // Reports before --price-warmup gave a fresh process the main runs' load.
  const freshWarmupS = price.warmupS ?? warmupS + durationS;
  const rounds = Object.entries(price.roundByCell).map(
    ([cell, round]) => `${cell}: ${round.join(', ')}`,
  );
  const distinct = [...new Set(Object.values(price.roundByCell).map((round) => round.join(', ')))];
  return (
    `Measured apart from the table above, right after each scenario's main runs: ${price.rounds} ` +
    `round${price.rounds === 1 ? '' : 's'} per priced scenario and latency (${price.durationS} s each run) of ` +
    (distinct.length === 1 ? `${distinct[0]}` : rounds.join('; ')) +
    ', gateway-b being a second bare gateway process set up exactly as gateway, and each priced ' +
    'configuration a gateway process of its own from the same build. ' +
    'A round has a block of four runs per configuration, the A/A control first (gateway, gateway-b, ' +
    'gateway-b, gateway; then gateway, X, X, gateway for each price), and each block starts its two ' +
    `processes afresh and gives each ${freshWarmupS} s of the same load (unmeasured) right before its ` +
    'first run, so that both sides of the two ABBA pairs of a block have the same history: a young ' +
    "gateway's CPU per request keeps falling for its first 10 to 15 s of load, and two processes of one " +
    'build and settings differ persistently by 5 to 10 % in CPU per request (JIT decisions, heap layout), ' +
    'which over fresh pairs is noise the median averages out. ' +
    `The gateway's second run of a block follows a ${warmupS} s warm-up. ` +
    "Figures are the median over the pairs of each pair's ratio (CPU) or difference (p50), " +
    'with the smallest and largest pair in brackets. A/A is what two identical gateways differ by ' +
    'on this machine: the noise. "Met" is yes when the median price is within its target by more ' +
    'than the noise of a median, no when it is over the target by more than that, else within noise; ' +
    "the noise of a median is the larger of the A/A median's distance from no difference and of its " +
    "farthest pair's distance divided by √pairs (CPU: from a ratio of 1, p50: from 0 ms)."
  );
}

/** What each priced gateway is, for the report. */
function configurationNotes(report: BenchReport): string[] {
  const { gateway, secured, metrics, tracing, logs } = report.settings.configurations;
  const sampled = report.settings.configurations['sampled-tracing'] ?? {};
  // Reports written before the production price have none.
  const production = report.settings.configurations.production ?? {};
  const targets = report.priceTargets;
  const cpu = (id: keyof typeof targets) =>
    `at most ${targets[id].cpuPerRequest.toFixed(2)} × the gateway's CPU per request`;
  const priced = new Set<string>(report.settings.price.prices);
  const notes: Array<[string, string]> = [
    [
      'gateway',
      `- **gateway** (bare, and what every price is against): AUTH_MODE=${gateway['AUTH_MODE'] ?? '?'}, ` +
        `METRICS_ENABLED=${gateway['METRICS_ENABLED'] ?? '?'}, LOG_LEVEL=${gateway['LOG_LEVEL'] ?? '?'}, ` +
        'no OTEL_* variable (tracing off), rate limits as below. gateway-b is set up the same.',
    ],
    [
      'security',
      `- **security** (secured): AUTH_MODE=${secured['AUTH_MODE'] ?? '?'} ` +
        `(JWKS from a file, issuer and audience set; ${secured['token'] ?? 'one token'}, sent as ` +
        '`authorization: Bearer …`), rate limits ' +
        `${secured['RATE_LIMIT_REQUESTS_PER_MINUTE'] ?? '?'} requests a minute and ` +
        `${secured['RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR'] ?? '?'} OneLogin calls an hour per caller ` +
        '(consumed on every request and call, never reached; the bare gateway has the same limits, ' +
        'the limiter always runs) and the operation limits at their defaults, so the price is what ' +
        `caller authentication adds. Targets: ${cpu('security')}, and at most ` +
        `+${(targets.security.p50DeltaMs ?? 0).toFixed(2)} ms p50 per GraphQL request (per walk: that times its requests).`,
    ],
    [
      'metrics',
      `- **metrics**: METRICS_ENABLED=${metrics['METRICS_ENABLED'] ?? '?'} on the gateway's port, ` +
        `${metrics['scrape'] ?? 'scraped'} (each answer checked for 200 and Prometheus text), its CPU in ` +
        `the gateway's account. Target: ${cpu('metrics')}.`,
    ],
    [
      'tracing',
      `- **tracing**: OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP sink in the bench's process ` +
        `that answers 200 and counts the spans of each JSON export, OTEL_TRACES_SAMPLER=${tracing['OTEL_TRACES_SAMPLER'] ?? '?'}, ` +
        `OTEL_BSP_SCHEDULE_DELAY=${tracing['OTEL_BSP_SCHEDULE_DELAY'] ?? '?'} ms. With no span received ` +
        'there is no price: the gateway measured did not trace. ' +
        `Target: ${cpu('tracing')}.`,
    ],
    [
      'sampled-tracing',
      `- **sampled-tracing**: the same, with OTEL_TRACES_SAMPLER=${sampled['OTEL_TRACES_SAMPLER'] ?? '?'} and ` +
        `OTEL_TRACES_SAMPLER_ARG=${sampled['OTEL_TRACES_SAMPLER_ARG'] ?? '?'}: with no traceparent from the bench, ` +
        'about one trace in ten is recorded and exported; the others are still started and carried, ' +
        `unsampled, which is what a production gateway pays on most requests. Target: ${cpu('sampled-tracing')}.`,
    ],
    [
      'logs',
      `- **logs**: LOG_LEVEL=${logs['LOG_LEVEL'] ?? '?'} (one JSON access-log line per request), stdout to ` +
        `${logs['stdout'] ?? 'a file'}, counted afterwards. Target: ${cpu('logs')}.`,
    ],
    [
      'production',
      `- **production**: all of it in one process, as production runs it: the secured gateway's ` +
        `security (AUTH_MODE=${production['AUTH_MODE'] ?? '?'}, the same token and limits), metrics on and ` +
        `${production['scrape'] ?? 'scraped'}, tracing to its own path of the sink with ` +
        `OTEL_TRACES_SAMPLER=${production['OTEL_TRACES_SAMPLER'] ?? '?'} ` +
        `${production['OTEL_TRACES_SAMPLER_ARG'] ?? ''}, and access logs ` +
        `(LOG_LEVEL=${production['LOG_LEVEL'] ?? '?'}) to a file. It counts only when spans, scrapes ` +
        `and log lines all show. Targets: ${cpu('production')}, and at most ` +
        `+${(targets.production.p50DeltaMs ?? 0).toFixed(2)} ms p50 per GraphQL request.`,
    ],
  ];
  // The bare gateway, and what was priced.
  return notes.filter(([id]) => id === 'gateway' || priced.has(id)).map(([, note]) => note);
}

/** The results and ratios as aligned plain text, for the terminal. */
export function renderTable(report: BenchReport): string {
  return [
    textTable(HEADERS, rows(report)),
    '',
    textTable(RATIO_HEADERS, ratioRows(report)),
    '',
    ...(report.peers
      ? [
          textTable(PEER_RATIO_HEADERS, peerRatioRows(report.peers, report.scenarios)),
          peersNote(report.peers),
          '',
        ]
      : []),
    ...(report.prices.length > 0
      ? [
          `Prices (each priced gateway against the bare one, median over ${report.settings.price.rounds} ` +
            'ABBA round(s); A/A: a second bare gateway against the first, in the same rounds):',
          textTable(PRICE_HEADERS, priceRows(report), 3),
        ]
      : ['Prices: not measured (--price-rounds 0).']),
    ...(report.warnings.length > 0
      ? ['', 'Warnings:', ...report.warnings.map((w) => `- ${w}`)]
      : []),
    ...(report.scale ? ['', 'Scale:', '', renderScaleMarkdown(report.scale)] : []),
  ].join('\n');
}

export function renderResultsMarkdown(report: BenchReport): string {
  const { machine, settings } = report;
  const units = report.scenarios
    .filter((scenario) => scenario.unit === 'walk')
    .map(
      (scenario) =>
        `Scenario ${scenario.number} counts whole walks: one "request" is ${scenario.httpRequestsPerUnit.gateway} ` +
        `GraphQL requests to the gateway or the floor, ${scenario.httpRequestsPerUnit.direct} REST calls direct.`,
    );
  return [
    `Run on ${report.date} with:`,
    '',
    '```sh',
    report.command,
    '```',
    '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.platform}, Node ${machine.node}; ` +
      `load average ${machine.loadAverage.start} before, ${machine.loadAverage.end} after.`,
    `- Gateway: commit ${report.gateway.commit}${report.gateway.uncommittedChanges ? ' with uncommitted changes in src/ or schema/' : ''}, ` +
      'compiled with tsconfig.build.json and run as `npm start` runs it.',
    `- Each run: ${settings.durationS} s after a ${settings.warmupS} s warm-up, ${settings.connections} connections, ` +
      (settings.firstWarmupS
        ? `each process first loaded for ${settings.firstWarmupS} s at ${4 * settings.connections} connections before the first scenario of each latency, `
        : '') +
      `upstream latency ${settings.upstreamLatenciesMs.join(' and ')} ms.`,
    `- Simulator: seed ${settings.seed}, ${settings.eventCount} events anchored at ${settings.dataAnchor}.`,
    ...units.map((line) => `- ${line}`),
    '',
    markdownTable(HEADERS, rows(report)),
    '',
    markdownTable(RATIO_HEADERS, ratioRows(report)),
    '',
    ...(report.peers
      ? [
          markdownTable(PEER_RATIO_HEADERS, peerRatioRows(report.peers, report.scenarios)),
          '',
          peersNote(report.peers),
          '',
        ]
      : []),
    `Prices of ${report.settings.price.prices.map((id) => PRICES[id].title).join(', ')}: ` +
      'what each configuration costs the gateway, in a gateway process of its own against the bare one.',
    '',
    ...configurationNotes(report),
    '',
    ...(report.prices.length > 0
      ? [
          priceMethod(report),
          '',
          markdownTable(PRICE_HEADERS, priceRows(report)),
          '',
          'Each run of the rounds is in `priceRuns` in the JSON report.',
        ]
      : ['Not measured (`--price-rounds 0`).']),
    ...(report.warnings.length > 0
      ? ['', '**Warnings:**', '', ...report.warnings.map((warning) => `- ${warning}`)]
      : []),
  ].join('\n');
}

export function renderProfileMarkdown(profile: BenchProfile): string {
  const { summary, run } = profile;
  const entryRows = (entries: typeof summary.topFunctions, withLocation: boolean) =>
    entries.map((entry) => [
      `\`${entry.name}\``,
      ...(withLocation ? [entry.location ? `\`${entry.location}\`` : '—'] : []),
      entry.selfMs.toFixed(0),
      `${entry.percent.toFixed(1)}%`,
    ]);
  return [
    `Gateway under scenario ${scenarioNumber(profile.scenario)} at ${profile.upstreamLatencyMs} ms upstream latency, ${profile.durationS} s, ` +
      `profiled with \`node --cpu-prof\` (${run.requestsPerSecond.toFixed(0)} req/s, ` +
      `${run.cpuMsPerRequest?.toFixed(3) ?? '—'} CPU ms/req while profiled). ` +
      `${summary.busyMs.toFixed(0)} ms of busy CPU sampled ` +
      `(${profile.window === 'measured-run' ? 'the measured run only' : 'the whole process, start-up included'}); ` +
      `profile in \`${profile.file}\` (git-ignored).`,
    '',
    'Top self time by function:',
    '',
    markdownTable(
      ['Function', 'Location', 'Self ms', 'Share'],
      entryRows(summary.topFunctions, true),
    ),
    '',
    'Self time by package:',
    '',
    markdownTable(['Package', 'Self ms', 'Share'], entryRows(summary.byPackage, false)),
  ].join('\n');
}

/** The secured gateway's profile against the bare one's, per request. */
export function renderSecurityProfileMarkdown(
  gateway: BenchProfile,
  secured: BenchProfile,
  comparison: ProfileComparison,
): string {
  const us = (value: number) => `${value >= 0 ? '' : '−'}${Math.abs(value).toFixed(1)}`;
  const differenceRows = (entries: ProfileComparison['grewMost'], withLocation: boolean) =>
    entries.map((entry) => [
      `\`${entry.name}\``,
      ...(withLocation ? [entry.location ? `\`${entry.location}\`` : '—'] : []),
      us(entry.baseUs),
      us(entry.otherUs),
      `${entry.deltaUs >= 0 ? '+' : '−'}${Math.abs(entry.deltaUs).toFixed(1)}`,
    ]);
  const headers = (first: string, withLocation: boolean) => [
    first,
    ...(withLocation ? ['Location'] : []),
    'Gateway µs/req',
    'Secured µs/req',
    'Difference',
  ];
  const busy = comparison.busyUs;
  return [
    `Secured gateway under the same load right after it (${secured.run.requestsPerSecond.toFixed(0)} req/s, ` +
      `${secured.run.cpuMsPerRequest?.toFixed(3) ?? '—'} CPU ms/req while profiled, against ` +
      `${gateway.run.cpuMsPerRequest?.toFixed(3) ?? '—'} for the gateway); profile in \`${secured.file}\`. ` +
      `Busy CPU sampled per request: gateway ${us(busy.base)} µs, secured ${us(busy.other)} µs ` +
      `(${busy.base > 0 ? `${((busy.other / busy.base - 1) * 100).toFixed(1)}%` : '—'}). ` +
      'Per request, secured against gateway; with samples every millisecond or so, ' +
      'differences of a few µs are sampling noise.',
    '',
    'Total time inside the code of production security (what it calls included):',
    '',
    markdownTable(headers('Area', false), differenceRows(comparison.byArea, false)),
    '',
    "Self time of that code's functions:",
    '',
    markdownTable(headers('Function', true), differenceRows(comparison.focused.slice(0, 15), true)),
    '',
    'Self time by package:',
    '',
    markdownTable(
      headers('Package', false),
      differenceRows(
        comparison.byPackage.filter((entry) => Math.abs(entry.deltaUs) >= 0.05),
        false,
      ),
    ),
    '',
    'Functions that grew most:',
    '',
    markdownTable(headers('Function', true), differenceRows(comparison.grewMost, true)),
    '',
    'Functions that shrank most:',
    '',
    markdownTable(headers('Function', true), differenceRows(comparison.shrankMost, true)),
  ].join('\n');
}

/**
 * Per observability configuration, its gateway's profile against the bare
 * gateway's under the same load: the self time of the configuration's own code
 * (its package and the gateway's code for it) per request, as a share of the
 * bare gateway's CPU per request, with the garbage collector's time beside it.
 */
export function renderObservabilityProfilesMarkdown(
  gateway: BenchProfile,
  profiles: readonly ObservabilityProfile[],
): string {
  const us = (value: number) => `${value >= 0 ? '' : '−'}${Math.abs(value).toFixed(1)}`;
  const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;
  const rows = profiles.map((entry) => {
    const busy = entry.comparison.busyUs;
    const top = entry.comparison.focused
      .filter((item) => item.deltaUs > 0)
      .slice(0, 3)
      .map((item) => `\`${item.name}\` ${item.deltaUs.toFixed(1)}`)
      .join(', ');
    return [
      PRICES[entry.configuration].title,
      `${entry.run.cpuMsPerRequest?.toFixed(3) ?? '—'}`,
      `${us(busy.base)} → ${us(busy.other)}`,
      us(entry.ownUs),
      `${(entry.share * 100).toFixed(1)} %`,
      `${us(entry.gcUs.base)} → ${us(entry.gcUs.other)} (${signed(entry.gcUs.other - entry.gcUs.base)})`,
      top || '—',
    ];
  });
  return [
    `Each observability configuration's gateway under the same load right after the secured one ` +
      `(scenario ${gateway.scenario}, ${gateway.upstreamLatencyMs} ms upstream latency, ` +
      `${gateway.durationS} s each), profiled like the bare gateway, whose ` +
      `${gateway.run.cpuMsPerRequest?.toFixed(3) ?? '—'} CPU ms/req while profiled is the base. ` +
      '"Own code" is the self time, per request, of the functions the configuration adds ' +
      '(prom-client and `Metrics.ts`; OpenTelemetry and `tracing.ts`; pino and the access-log ' +
      'code), its profile minus the bare one: what the configuration costs in its own code, ' +
      'without the noise of two processes’ totals. It leaves out what it costs elsewhere: the ' +
      'garbage it makes (the collector column, for both gateways), and kernel time for its ' +
      'writes. Samples come about every millisecond, so a few µs are sampling noise.',
    '',
    markdownTable(
      [
        'Configuration',
        'CPU ms/req profiled',
        'Busy µs/req sampled, bare → priced',
        'Own code µs/req',
        'Share of the bare gateway’s CPU',
        'Garbage collector µs/req',
        'Its top functions (µs/req)',
      ],
      rows,
    ),
  ].join('\n');
}

/** `existing` (or a new file) with the generated sections replaced by this report's. */
export function updateMarkdown(existing: string | undefined, report: BenchReport): string {
  let text = existing ?? NEW_FILE;
  if (!text.includes(RESULTS.start))
    text = `${text.trimEnd()}\n\n${RESULTS.start}\n${RESULTS.end}\n`;
  text = replaceBetween(text, RESULTS, renderResultsMarkdown(report));
  if (report.profile) {
    if (!text.includes(PROFILE.start)) {
      text = `${text.trimEnd()}\n\n## Where the time goes\n\n${PROFILE.start}\n${PROFILE.end}\n`;
    }
    const { profile, securedProfile, securityProfile } = report;
    text = replaceBetween(
      text,
      PROFILE,
      [
        renderProfileMarkdown(profile),
        ...(securedProfile && securityProfile
          ? [
              '',
              '### The price of production security',
              '',
              renderSecurityProfileMarkdown(profile, securedProfile, securityProfile),
            ]
          : []),
        ...(report.observabilityProfiles && report.observabilityProfiles.length > 0
          ? [
              '',
              '### The price of observability, by profile',
              '',
              renderObservabilityProfilesMarkdown(profile, report.observabilityProfiles),
            ]
          : []),
      ].join('\n'),
    );
  }
  return updateScaleMarkdown(text, report.scale);
}

function replaceBetween(
  text: string,
  markers: { start: string; end: string },
  body: string,
): string {
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start)
    throw new Error(`Malformed markers ${markers.start} … ${markers.end}`);
  return `${text.slice(0, start + markers.start.length)}\n\n${body}\n\n${text.slice(end)}`;
}

function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function cpu(value: number): string {
  return value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

/** Aligned columns: the first `leftColumns` to the left, the others to the right. */
function textTable(headers: string[], body: string[][], leftColumns = 3): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...body.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < leftColumns
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...body.map(line),
  ].join('\n');
}

function markdownTable(headers: string[], body: string[][]): string {
  const numeric = headers.map(
    (_, column) => body.length > 0 && body.every((row) => /^[-+−—\d.%]*$/.test(row[column] ?? '')),
  );
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, column) => (numeric[column] ? '---:' : '---')).join(' | ')} |`,
    ...body.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** A scenario's number as the bench's flags and tables give it (1 to 4). */
function scenarioNumber(id: ScenarioId): number | string {
  return SCENARIOS.find((scenario) => scenario.id === id)?.number ?? id;
}
