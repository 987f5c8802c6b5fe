/**
 * The peers: what a team would otherwise build over OneLogin's events with
 * off-the-shelf tools, run in the same bench on the same simulator as the
 * gateway, each in a child process of its own.
 *
 * - `mesh`: Hive Gateway's CLI (`hive-gateway supergraph`) serving a supergraph
 *   that GraphQL Mesh's compose (`@graphql-mesh/compose-cli` with
 *   `@omnigraph/openapi`'s `loadOpenAPISubgraph`) made from OneLogin's own
 *   OpenAPI spec with the fixes of meshSpec.ts; the OneLogin token as an
 *   operation header, `Authorization: Bearer {env.ONELOGIN_TOKEN}`.
 * - `apollo-rest`: Apollo Server with a RESTDataSource and DataLoader, as
 *   Apollo's docs write one (apolloRest.ts).
 *
 * Both get the token the `direct` contestant uses. Each scenario's answers are
 * checked against direct REST (checkPeers.ts) before they are timed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { DefaultLogger } from '@graphql-mesh/utils';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';
import type autocannon from 'autocannon';

import type { LoadPlan, Recorder, Target } from '../loadPlans';
import type { MeasuredProcesses, RunMeasurement, RunSettings } from '../measureRun';
import { measureRun } from '../measureRun';
import type { Scenario, ScenarioId } from '../scenarios';
import type { Child } from '../startChild';
import { freePorts, REPO_ROOT, startChild } from '../startChild';
import { checkPeers } from './checkPeers';
import type { PeerId } from './peerIds';
import { PEER_IDS } from './peerIds';
import { peerOperation } from './peerOperations';
import { SPEC_FIXES, specPath, writeFixedSpec } from './meshSpec';

export type { PeerId } from './peerIds';
export { PEER_DURATION_S, PEER_IDS, PEER_LABELS, PEER_WARMUP_S } from './peerIds';

const OUT_DIRECTORY = path.join(REPO_ROOT, 'bench/.out/peers');
/** How long a peer gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;
const HIVE_GATEWAY_BIN = 'node_modules/@graphql-hive/gateway/dist/bin.js';

export interface PeerStack {
  peers: Array<{ id: PeerId; url: string; pid: number }>;
  stop(): Promise<void>;
}

export interface PeerResult extends RunMeasurement {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  contestant: PeerId;
}

export interface PeerRatio {
  scenario: ScenarioId;
  upstreamLatencyMs: number;
  peer: PeerId;
  /** Gateway units per second over the peer's. */
  throughput: number;
  /** Gateway CPU ms per unit over the peer's; null when either could not be read. */
  cpuPerRequest: number | null;
  /** Gateway p50 minus the peer's, in ms. */
  p50DeltaMs: number;
}

/** What the report says about the peers. */
export interface PeersReport {
  ids: PeerId[];
  durationS: number;
  warmupS: number;
  /** HTTP requests per unit, by scenario and peer (mesh walks 1,000 events in 20 requests). */
  httpRequestsPerUnit: Record<string, Partial<Record<PeerId, number>>>;
  /** The fixes the mesh peer's spec got (meshSpec.ts). */
  meshSpecFixes: Array<{ what: string; source: string; spec: string }>;
  /** Seconds the peers added to the run: composing, starting, checking and measuring. */
  addedS: number;
  ratios: PeerRatio[];
}

let composed: Promise<string> | undefined;

/**
 * The mesh supergraph, composed once per bench from the fixed spec, as
 * `mesh-compose` would from a mesh.config.ts with the same subgraph: the
 * upstream's origin and the token are read from the environment at run time.
 */
function composeSupergraph(): Promise<string> {
  composed ??= (async () => {
    const source = writeFixedSpec(OUT_DIRECTORY);
    const supergraph = await getComposedSchemaFromConfig(
      {
        subgraphs: [
          {
            sourceHandler: loadOpenAPISubgraph('OneLogin', {
              source,
              endpoint: '{env.ONELOGIN_BASE_URL}',
              operationHeaders: { Authorization: 'Bearer {env.ONELOGIN_TOKEN}' },
            }),
          },
        ],
      },
      new DefaultLogger('mesh-compose'),
    );
    const file = path.join(OUT_DIRECTORY, 'supergraph.graphql');
    writeFileSync(file, supergraph);
    return file;
  })();
  return composed;
}

/** Starts `ids` against the simulator at `simulatorURL`, with OneLogin token `token`. */
export async function startPeers(
  ids: readonly PeerId[],
  simulatorURL: string,
  token: string,
): Promise<PeerStack> {
  const supergraph = ids.includes('mesh') ? await composeSupergraph() : undefined;
  const ports = await freePorts(ids.length);
  const env = { NODE_ENV: 'production', ONELOGIN_BASE_URL: simulatorURL, ONELOGIN_TOKEN: token };
  const started = await Promise.allSettled(
    ids.map((id, index) => {
      const port = String(ports[index]);
      return id === 'mesh'
        ? startChild({
            name: 'mesh',
            entry: HIVE_GATEWAY_BIN,
            args: ['supergraph', supergraph as string, '--host', '127.0.0.1', '--port', port],
            env,
            ready: {
              kind: 'http',
              healthURL: `http://127.0.0.1:${port}/healthcheck`,
              url: `http://127.0.0.1:${port}/graphql`,
            },
          })
        : startChild({
            name: 'apollo-rest',
            entry: 'bench/peers/apolloRest.ts',
            env: { ...env, PORT: port },
            ready: { kind: 'ipc' },
          });
    }),
  );
  const children: Child[] = started.flatMap((outcome) =>
    outcome.status === 'fulfilled' ? [outcome.value] : [],
  );
  // Hive Gateway waits for open keep-alive connections before it exits on SIGTERM, which
  // took the 20 s of startChild's default grace every time; the runs are over by then.
  const stop = async () => {
    await Promise.all(children.map((child) => child.stop(STOP_GRACE_MS)));
  };
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    peers: ids.map((id, index) => {
      const child = children[index] as Child;
      return { id, url: child.url, pid: child.pid };
    }),
    stop,
  };
}

/**
 * Checks the peers' answers to `scenario` against direct REST, then measures
 * each: a warm-up and a measured run of `settings`, like the contestants'.
 */
export async function measurePeers(input: {
  stack: PeerStack;
  scenario: Scenario;
  latencyMs: number;
  direct: Target;
  ids: readonly string[];
  settings: RunSettings;
  warmupS: number;
  /** A heavier load before the warm-up, for young processes (the stack's first scenario). */
  firstLoad?: RunSettings;
  processes: Omit<MeasuredProcesses, 'contestantPid'>;
  requestsPerUnit: PeersReport['httpRequestsPerUnit'];
  log(line: string): void;
}): Promise<PeerResult[]> {
  const { stack, scenario } = input;
  const { starts } = await checkPeers(scenario, stack.peers, input.direct, input.ids);
  const results: PeerResult[] = [];
  for (const peer of stack.peers) {
    const plan = peerPlan(peer.id, peer.url, scenario, {
      ids: input.ids,
      starts: starts[peer.id] ?? [null],
    });
    (input.requestsPerUnit[scenario.id] ??= {})[peer.id] = plan.stepsPerUnit;
    const processes = { ...input.processes, contestantPid: peer.pid };
    if (input.firstLoad) await measureRun(plan, input.firstLoad, processes);
    if (input.warmupS > 0) {
      await measureRun(plan, { ...input.settings, durationS: input.warmupS }, processes);
    }
    const run = await measureRun(plan, input.settings, processes);
    results.push({
      scenario: scenario.id,
      upstreamLatencyMs: input.latencyMs,
      contestant: peer.id,
      ...run,
    });
    input.log(
      `  ${scenario.number} ${scenario.id} ${peer.id}: ${run.requestsPerSecond.toFixed(1)}/s, ` +
        `p50 ${run.latencyMs.p50.toFixed(2)} ms, p99 ${run.latencyMs.p99.toFixed(2)} ms` +
        (run.cpuMsPerRequest === null ? '' : `, ${run.cpuMsPerRequest.toFixed(3)} CPU ms`),
    );
  }
  return results;
}

/** The load of `scenario` against a peer: its own operation, walks following its own cursor. */
export function peerPlan(
  peer: PeerId,
  url: string,
  scenario: Scenario,
  data: { ids: readonly string[]; starts: ReadonlyArray<string | null> },
): LoadPlan {
  const operation = peerOperation(peer, scenario);
  const target = new URL(url);
  const post = (variables: Record<string, unknown>): autocannon.Request => ({
    method: 'POST',
    path: target.pathname,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: operation.query, variables }),
  });
  const steps = operation.steps;
  return {
    origin: target.origin,
    stepsPerUnit: steps,
    measuresUnits: steps > 1,
    requests(recorder: Recorder) {
      let next = 0;
      let nextId = 0;
      return Array.from({ length: steps }, (_, step): autocannon.Request => ({
        ...post(operation.variables({ after: null, id: data.ids[0] })),
        setupRequest(request, context) {
          if (step === 0) {
            context['started'] = performance.now();
            const variables =
              operation.kind === 'event'
                ? operation.variables({ id: data.ids[nextId++ % data.ids.length] })
                : operation.variables({ after: data.starts[next++ % data.starts.length] ?? null });
            return { ...request, ...post(variables) };
          }
          const after = context['cursor'];
          return typeof after === 'string'
            ? { ...request, ...post(operation.variables({ after })) }
            : null;
        },
        onResponse(status, body, context) {
          context['cursor'] = steps > 1 ? operation.cursorPattern.exec(body)?.[1] : undefined;
          if (status < 200 || status >= 300) return;
          if (body.includes('"errors":') || !body.includes(operation.goodAnswer)) {
            recorder.bad(`${peer}: ${body.slice(0, 300)}`);
          } else if (step < steps - 1 && context['cursor'] === undefined) {
            recorder.bad(`step ${step + 1} of a walk gave no cursor`);
          }
          if (steps > 1 && step === steps - 1) {
            recorder.unit(performance.now() - (context['started'] as number));
          }
        },
      }));
    },
  };
}

/** Gateway against each peer, per scenario and latency. */
export function peerRatiosOf(
  results: ReadonlyArray<{
    scenario: ScenarioId;
    upstreamLatencyMs: number;
    contestant: string;
    requestsPerSecond: number;
    cpuMsPerRequest: number | null;
    latencyMs: { p50: number };
  }>,
): PeerRatio[] {
  const ratios: PeerRatio[] = [];
  for (const gateway of results.filter((result) => result.contestant === 'gateway')) {
    for (const peer of PEER_IDS) {
      const other = results.find(
        (result) =>
          result.contestant === peer &&
          result.scenario === gateway.scenario &&
          result.upstreamLatencyMs === gateway.upstreamLatencyMs,
      );
      if (!other) continue;
      ratios.push({
        scenario: gateway.scenario,
        upstreamLatencyMs: gateway.upstreamLatencyMs,
        peer,
        throughput:
          other.requestsPerSecond > 0 ? gateway.requestsPerSecond / other.requestsPerSecond : 0,
        cpuPerRequest:
          gateway.cpuMsPerRequest !== null && other.cpuMsPerRequest
            ? gateway.cpuMsPerRequest / other.cpuMsPerRequest
            : null,
        p50DeltaMs: gateway.latencyMs.p50 - other.latencyMs.p50,
      });
    }
  }
  return ratios;
}

/** The report's peers section. */
export function peersReport(input: {
  ids: readonly PeerId[];
  durationS: number;
  warmupS: number;
  requestsPerUnit: PeersReport['httpRequestsPerUnit'];
  addedS: number;
  results: Parameters<typeof peerRatiosOf>[0];
}): PeersReport {
  return {
    ids: [...input.ids],
    durationS: input.durationS,
    warmupS: input.warmupS,
    httpRequestsPerUnit: input.requestsPerUnit,
    meshSpecFixes: input.ids.includes('mesh')
      ? SPEC_FIXES.map((fix) => ({ ...fix, spec: path.relative(REPO_ROOT, specPath()) }))
      : [],
    addedS: Math.round(input.addedS * 10) / 10,
    ratios: peerRatiosOf(input.results),
  };
}
