/**
 * The peers' names and the bench's settings for them, apart from the code
 * that runs them (peers.ts), so that reading the command line loads nothing
 * of Mesh or Apollo.
 */
export type PeerId = 'mesh' | 'apollo-rest';
export const PEER_IDS: readonly PeerId[] = ['mesh', 'apollo-rest'];

export const PEER_LABELS: Readonly<Record<PeerId, string>> = {
  mesh: 'mesh (Hive Gateway, Mesh OpenAPI supergraph)',
  'apollo-rest': 'apollo-rest (Apollo Server, RESTDataSource, DataLoader)',
};

/** Seconds of each peer's measured run and of its warm-up, unless told otherwise. */
export const PEER_DURATION_S = 2;
export const PEER_WARMUP_S = 1;

/** `--peers`: `mesh,apollo-rest` (the default), a subset, or `none`. */
export function parsePeers(raw: string | undefined): PeerId[] {
  if (raw === undefined) return [...PEER_IDS];
  if (raw.trim() === 'none') return [];
  const wanted = raw.split(',').map((id) => id.trim());
  for (const id of wanted) {
    if (!(PEER_IDS as readonly string[]).includes(id)) {
      throw new Error(`--peers takes ${PEER_IDS.join(', ')} or none (got "${id}")`);
    }
  }
  return PEER_IDS.filter((id) => wanted.includes(id));
}

/** How the tables name a contestant that is a peer; undefined for any other. */
export function peerLabel(id: string): string | undefined {
  return (PEER_LABELS as Record<string, string>)[id];
}
