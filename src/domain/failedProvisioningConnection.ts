import type { FailedProvisioningDto } from '../upstream/legacyDto';
import { encodeFailedProvisioningCursor } from './failedProvisioningCursor';
import type { FailedProvisioningsQueryPlan } from './failedProvisioningsQuery';
import { parseOneLoginDateTime } from './oneLoginDateTime';

/** What `Query.failedProvisionings` resolves to; `nodes` is derived from `edges`. */
export interface FailedProvisioningConnectionModel {
  edges: FailedProvisioningEdgeModel[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

export interface FailedProvisioningEdgeModel {
  cursor: string;
  node: FailedProvisioningDto;
}

/**
 * The items oldest first (stable: items of the same second keep OneLogin's
 * order), or the index of the first item whose `created_at` cannot be read.
 */
export function sortByCreatedAt(
  items: readonly FailedProvisioningDto[],
): { ok: true; items: FailedProvisioningDto[] } | { ok: false; index: number } {
  const dated: Array<{ item: FailedProvisioningDto; at: number }> = [];
  for (const [index, item] of items.entries()) {
    const at = parseOneLoginDateTime(item.created_at);
    if (at === null) return { ok: false, index };
    dated.push({ item, at: at.getTime() });
  }
  dated.sort((a, b) => a.at - b.at);
  return { ok: true, items: dated.map(({ item }) => item) };
}

/**
 * One page of the connection, from the (sorted) list OneLogin returned for the
 * plan's widened range: the items of the exact range, then the page the
 * paging arguments ask for. The whole range is at hand, so `pageInfo` is exact
 * in both directions.
 */
export function failedProvisioningConnection(
  fetched: readonly FailedProvisioningDto[],
  plan: FailedProvisioningsQueryPlan,
): FailedProvisioningConnectionModel {
  const items = fetched.filter((item) => {
    const at = parseOneLoginDateTime(item.created_at)?.getTime();
    return at !== undefined && at >= plan.startMs && at <= plan.stopMs;
  });
  const total = items.length;
  let start: number;
  let end: number;
  if (plan.mode === 'forward') {
    start = plan.offset === null ? 0 : Math.min(plan.offset + 1, total);
    end = Math.min(start + plan.count, total);
  } else {
    end = plan.offset === null ? total : Math.min(plan.offset, total);
    start = Math.max(0, end - plan.count);
  }
  const edges = items.slice(start, end).map((node, i) => ({
    cursor: encodeFailedProvisioningCursor(plan.key, start + i),
    node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < total,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: total,
  };
}
