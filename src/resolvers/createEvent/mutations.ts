import type { MutationResolvers } from '../../__generated__/resolvers-types';

export const createEventMutations: MutationResolvers = {
  createEvent: (_parent, { input }, { dataSources }) => dataSources.createEvent(input),
};
