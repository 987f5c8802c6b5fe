import { oneLoginInteger } from '../../domain/oneLoginId';
import type { UserResolvers } from '../../__generated__/resolvers-types';
import { selectedNodeFields } from '../selection';

/** `parent` is a `User` reference: just its id (see UserReferenceModel). */
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  events: (user, { filter, ...paging }, { dataSources }, info) =>
    dataSources.listEvents(
      { ...paging, filter: { ...filter, userId: oneLoginInteger(user.id, 'User.id') } },
      selectedNodeFields(info),
      'User.events',
    ),
};
