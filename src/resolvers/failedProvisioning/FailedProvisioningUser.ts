import type { FailedProvisioningUserResolvers } from '../../__generated__/resolvers-types';

/** `parent` is the upstream `user` block; OneLogin's "" means nothing and is null. */
export const FailedProvisioningUser: FailedProvisioningUserResolvers = {
  id: (user) => String(user.id),
  email: (user) => user.email || null,
  username: (user) => user.username || null,
  firstName: (user) => user.firstname || null,
  lastName: (user) => user.lastname || null,
};
