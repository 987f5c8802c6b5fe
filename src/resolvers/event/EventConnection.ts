import type { EventConnectionResolvers } from '../../__generated__/resolvers-types';

export const EventConnection: EventConnectionResolvers = {
  nodes: (connection) => connection.edges.map((edge) => edge.node),
};
