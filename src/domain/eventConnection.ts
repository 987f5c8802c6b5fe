import type { EventDto } from '../upstream/dto';
import type { EventPosition } from './eventCursor';

/** What `Query.events` resolves to; `nodes` is derived from `edges`. */
export interface EventConnectionModel {
  edges: EventEdgeModel[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * An edge before its cursor is encoded: the cursor is only built when a query
 * selects it (see resolvers/event/EventEdge.ts), so pages that select `nodes`
 * pay nothing for cursors.
 */
export interface EventEdgeModel {
  node: EventDto;
  /** The connection's key (filter and order) the cursor is bound to. */
  key: string;
  position: EventPosition;
}
