import { oneLoginInteger } from '../../domain/oneLoginId';
import type { QueryResolvers } from '../../__generated__/resolvers-types';
import { selectedFields, selectedNodeFields } from '../selection';

export const eventQueries: QueryResolvers = {
  events: (_parent, args, { dataSources }, info) =>
    dataSources.listEvents(args, selectedNodeFields(info)),
  event: (_parent, { id }, { dataSources }, info) =>
    dataSources.loadEvent(oneLoginInteger(id, 'id'), selectedFields(info)),
};
