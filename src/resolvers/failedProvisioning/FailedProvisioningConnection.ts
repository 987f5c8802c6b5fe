import type { FailedProvisioningConnectionResolvers } from '../../__generated__/resolvers-types';

export const FailedProvisioningConnection: FailedProvisioningConnectionResolvers = {
  nodes: (connection) => connection.edges.map((edge) => edge.node),
};
