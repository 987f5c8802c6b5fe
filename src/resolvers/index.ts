import type { Resolvers } from '../__generated__/resolvers-types';
import { scalars } from '../scalars';
import { createEventMutations } from './createEvent/mutations';
import { Event } from './event/Event';
import { EventConnection } from './event/EventConnection';
import { EventEdge } from './event/EventEdge';
import { eventQueries } from './event/queries';
import { EventType } from './eventType/EventType';
import { eventTypeQueries } from './eventType/queries';
import { FailedProvisioning } from './failedProvisioning/FailedProvisioning';
import { FailedProvisioningConnection } from './failedProvisioning/FailedProvisioningConnection';
import { FailedProvisioningUser } from './failedProvisioning/FailedProvisioningUser';
import { failedProvisioningQueries } from './failedProvisioning/queries';
import { liveSubscriptions } from './live/subscriptions';
import { User } from './user/User';
import { userQueries } from './user/queries';

export const resolvers: Resolvers = {
  ...scalars,
  Query: { ...eventQueries, ...eventTypeQueries, ...failedProvisioningQueries, ...userQueries },
  Mutation: { ...createEventMutations },
  Subscription: { ...liveSubscriptions },
  Event,
  EventConnection,
  EventEdge,
  EventType,
  FailedProvisioning,
  FailedProvisioningConnection,
  FailedProvisioningUser,
  User,
};
