import { placeholdersOf } from '../../domain/eventMessage';
import { oneLoginInteger } from '../../domain/oneLoginId';
import type { EventTypeResolvers } from '../../__generated__/resolvers-types';

/** `parent` is the upstream EventTypeDto. */
export const EventType: EventTypeResolvers = {
  /**
   * Federation: any number of references cost one catalogue read (DataLoader over the cached
   * catalogue). Async, so that a refusal fails this representation only: @apollo/subgraph
   * maps the representations, and a synchronous throw would fail the whole `_entities`.
   */
  __resolveReference: async (reference, { dataSources }) =>
    dataSources.loadEventType(oneLoginInteger(String(reference.id), 'EventType.id')),
  id: (type) => String(type.id),
  placeholders: (type) => placeholdersOf(type.description),
};
