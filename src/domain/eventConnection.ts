import type { EventDto } from '../upstream/dto';

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

export interface EventEdgeModel {
  cursor: string;
  node: EventDto;
}
