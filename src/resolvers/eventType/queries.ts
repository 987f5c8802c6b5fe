import { oneLoginInteger } from '../../domain/eventQuery';
import type { QueryResolvers } from '../../__generated__/resolvers-types';

export const eventTypeQueries: QueryResolvers = {
  eventTypes: async (_parent, _args, { dataSources }) => [
    ...(await dataSources.eventTypeCatalog()).list,
  ],
  eventType: (_parent, { id }, { dataSources }) =>
    dataSources.loadEventType(oneLoginInteger(id, 'id')),
};
