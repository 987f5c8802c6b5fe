import { placeholdersOf } from '../../domain/eventMessage';
import type { EventTypeResolvers } from '../../__generated__/resolvers-types';

/** `parent` is the upstream EventTypeDto. */
export const EventType: EventTypeResolvers = {
  id: (type) => String(type.id),
  placeholders: (type) => placeholdersOf(type.description),
};
