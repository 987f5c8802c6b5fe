/**
 * The peers' part of the report: the gateway against each peer, per scenario
 * and latency, as rows for renderReport's tables, and a line on how they ran.
 */
import { PEER_LABELS } from './peerIds';
import type { PeersReport } from './peers';

export const PEER_RATIO_HEADERS = [
  'Scenario',
  'Upstream',
  'Peer',
  'Gateway/peer throughput',
  'Gateway/peer CPU per req',
  'Gateway − peer p50 (ms)',
];

/** One row per scenario, latency and peer. */
export function peerRatioRows(
  peers: PeersReport,
  scenarios: ReadonlyArray<{ id: string; number: number }>,
): string[][] {
  return peers.ratios.map((ratio) => {
    const scenario = scenarios.find((candidate) => candidate.id === ratio.scenario);
    return [
      scenario ? `${scenario.number} ${scenario.id}` : ratio.scenario,
      `${ratio.upstreamLatencyMs} ms`,
      ratio.peer,
      ratio.throughput.toFixed(2),
      ratio.cpuPerRequest === null ? '—' : ratio.cpuPerRequest.toFixed(2),
      `${ratio.p50DeltaMs >= 0 ? '+' : ''}${ratio.p50DeltaMs.toFixed(2)}`,
    ];
  });
}

/** How the peers ran, for the report. */
export function peersNote(peers: PeersReport): string {
  const walks = Object.entries(peers.httpRequestsPerUnit)
    .filter(([scenario]) => scenario === 'walk1000')
    .flatMap(([, perPeer]) =>
      Object.entries(perPeer).map(([peer, requests]) => `${peer} ${requests}`),
    );
  return (
    `Peers (bench/peers/, docs/BENCHMARKS.md "The peers"): ${peers.ids
      .map((id) => PEER_LABELS[id])
      .join('; ')}. Each answered the scenario once, checked against direct REST, before its ` +
    `runs of ${peers.durationS} s after a ${peers.warmupS} s warm-up (shorter than the ` +
    `contestants', to keep the bench short). ` +
    (walks.length > 0 ? `GraphQL requests per walk of 1,000 events: ${walks.join(', ')}. ` : '') +
    (peers.meshSpecFixes.length > 0
      ? `Mesh's spec got ${peers.meshSpecFixes.length} fixes (in the JSON report). `
      : '') +
    `They added ${peers.addedS.toFixed(1)} s to this run.`
  );
}
