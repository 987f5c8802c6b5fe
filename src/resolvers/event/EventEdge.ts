import { encodeCursor } from '../../domain/eventCursor';
import type { EventEdgeResolvers } from '../../__generated__/resolvers-types';

export const EventEdge: EventEdgeResolvers = {
  cursor: (edge) => encodeCursor(edge.key, edge.position),
};
