import type { MutationResolvers } from '../../__generated__/resolvers-types';

export const createEventMutations: MutationResolvers = {
  createEvent: async (_parent, { input }, { dataSources }) => ({
    event: await dataSources.createEvent(input),
  }),
};
