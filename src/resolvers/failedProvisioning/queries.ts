import type { QueryResolvers } from '../../__generated__/resolvers-types';

export const failedProvisioningQueries: QueryResolvers = {
  failedProvisionings: (_parent, args, { dataSources }) =>
    dataSources.listFailedProvisionings(args),
};
