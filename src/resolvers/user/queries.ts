import type { QueryResolvers } from '../../__generated__/resolvers-types';

export const userQueries: QueryResolvers = {
  me: (_parent, _args, { dataSources }) => dataSources.me(),
};
