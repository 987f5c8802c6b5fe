import type { Resolvers } from '../__generated__/resolvers-types';
import { scalars } from '../scalars';
import { Event } from './event/Event';
import { EventConnection } from './event/EventConnection';
import { eventQueries } from './event/queries';
import { EventType } from './eventType/EventType';
import { eventTypeQueries } from './eventType/queries';

export const resolvers: Resolvers = {
  ...scalars,
  Query: { ...eventQueries, ...eventTypeQueries },
  Event,
  EventConnection,
  EventType,
};
