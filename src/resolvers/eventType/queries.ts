import { oneLoginInteger } from '../../domain/oneLoginId';
import type { QueryResolvers } from '../../__generated__/resolvers-types';

export const eventTypeQueries: QueryResolvers = {
  eventTypes: (_parent, _args, { dataSources }) => dataSources.listEventTypes(),
  eventType: (_parent, { id }, { dataSources }) =>
    dataSources.loadEventType(oneLoginInteger(id, 'id')),
};
