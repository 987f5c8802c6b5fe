import DataLoader from 'dataloader';

import type { EventConnectionModel } from '../domain/eventConnection';
import type { EventsQueryInput } from '../domain/eventQuery';
import { UpstreamBudget } from '../domain/UpstreamBudget';

import type { EventDto, EventTypeDto } from '../upstream/dto';
import type { EventsAPI } from './EventsAPI';
import type { Catalog, EventTypeCatalog } from './EventTypeCatalog';
import type { FailedProvisioningsAPI } from './FailedProvisioningsAPI';
import type { LegacyEventsAPI } from './LegacyEventsAPI';

/** The long-lived clients every request shares (pools, caches, tokens). */
export interface Services {
  events: EventsAPI;
  eventTypes: EventTypeCatalog;
  /** Legacy API: failed provisionings (one cached fetch per range). */
  failedProvisionings: FailedProvisioningsAPI;
  /** Legacy API: `createEvent`. */
  legacyEvents: LegacyEventsAPI;
  /** At most this many OneLogin calls per GraphQL request (see UpstreamBudget). */
  upstreamCallsPerRequest: number;
}

/**
 * What resolvers reach through `context.dataSources`. Created per request and
 * cheap to create: the loaders are built on first use, so they batch within
 * one request and never leak data between requests.
 */
export interface DataSources {
  events: EventsAPI;
  failedProvisionings: FailedProvisioningsAPI;
  legacyEvents: LegacyEventsAPI;
  /** The event-type catalogue (cached; see EventTypeCatalog). */
  eventTypeCatalog(): Promise<Catalog>;
  /**
   * One event type by id: at once when the catalogue in memory knows it,
   * otherwise through a loader, so every look-up in a request shares one
   * catalogue read (and one refresh for unknown ids).
   */
  loadEventType(id: string): EventTypeDto | Promise<EventTypeDto | null>;
  /**
   * One event by id; look-ups in the same tick are batched, answered from the
   * cache where possible and otherwise fetched a few at a time.
   * `selection` names the `Event` fields the caller needs.
   */
  loadEvent(id: string, selection: readonly string[]): Promise<EventDto | null>;
  /** A page of `GET /api/1/events` as a connection, within this request's call budget. */
  listEvents(input: EventsQueryInput, selection: readonly string[]): Promise<EventConnectionModel>;
}

export function createDataSources(services: Services): DataSources {
  let eventTypes: DataLoader<string, EventTypeDto | null> | undefined;
  let events: DataLoader<string, EventDto | null> | undefined;
  const selection = new Set<string>();
  let budget: UpstreamBudget | undefined;
  const requestBudget = () => (budget ??= new UpstreamBudget(services.upstreamCallsPerRequest));
  return {
    events: services.events,
    failedProvisionings: services.failedProvisionings,
    legacyEvents: services.legacyEvents,
    eventTypeCatalog: () => services.eventTypes.get(),
    loadEventType(id) {
      const known = services.eventTypes.peek(id);
      if (known) return known;
      eventTypes ??= new DataLoader((ids) => services.eventTypes.lookup(ids));
      return eventTypes.load(id);
    },
    loadEvent(id, fields) {
      for (const field of fields) selection.add(field);
      events ??= new DataLoader((ids) =>
        services.events.getEvents(ids, [...selection], requestBudget()),
      );
      return events.load(id);
    },
    listEvents: (input, fields) => services.events.listEvents(input, fields, requestBudget()),
  };
}
