import DataLoader from 'dataloader';

import type { CreatedEventModel, CreateEventInputValues } from '../domain/createEventInput';
import type { EventConnectionModel } from '../domain/eventConnection';
import type { EventsQueryInput } from '../domain/eventQuery';
import type { FailedProvisioningConnectionModel } from '../domain/failedProvisioningConnection';
import type { FailedProvisioningsQueryInput } from '../domain/failedProvisioningsQuery';
import { UpstreamBudget } from '../domain/UpstreamBudget';
import type { EventDto, EventTypeDto } from '../upstream/dto';
import type { Services } from './createServices';

/**
 * The one door from resolvers to OneLogin: what resolvers reach through
 * `context.dataSources`. Created per request and cheap to create; nothing
 * long-lived is reachable from here, and every method charges this request's
 * UpstreamBudget. The loaders are built on first use, so they batch within one
 * request and never leak data between requests.
 */
export interface DataSources {
  /** A page of `GET /api/1/events` as a connection. */
  listEvents(input: EventsQueryInput, selection: readonly string[]): Promise<EventConnectionModel>;
  /**
   * One event by id; look-ups in the same tick are batched, answered from the
   * cache where possible and otherwise fetched a few at a time.
   * `selection` names the `Event` fields the caller needs.
   */
  loadEvent(id: string, selection: readonly string[]): Promise<EventDto | null>;
  /** Every event type, ordered by id (the cached catalogue). */
  listEventTypes(): Promise<EventTypeDto[]>;
  /**
   * One event type by id: at once when the catalogue in memory knows it,
   * otherwise through a loader, so every look-up in a request shares one
   * catalogue read (and one refresh for unknown ids).
   */
  loadEventType(id: string): EventTypeDto | Promise<EventTypeDto | null>;
  /** Legacy API: failed provisionings of a range as a connection. */
  listFailedProvisionings(
    input: FailedProvisioningsQueryInput,
  ): Promise<FailedProvisioningConnectionModel>;
  /** Legacy API: writes one event (never retried). */
  createEvent(input: CreateEventInputValues): Promise<CreatedEventModel>;
}

export function createDataSources(services: Services): DataSources {
  let eventTypes: DataLoader<string, EventTypeDto | null> | undefined;
  let events: DataLoader<string, EventDto | null> | undefined;
  const selection = new Set<string>();
  let budget: UpstreamBudget | undefined;
  const requestBudget = () => (budget ??= new UpstreamBudget(services.upstreamCallsPerRequest));
  return {
    listEvents: (input, fields) => services.events.listEvents(input, fields, requestBudget()),
    loadEvent(id, fields) {
      for (const field of fields) selection.add(field);
      events ??= new DataLoader((ids) =>
        services.events.getEvents(ids, [...selection], requestBudget()),
      );
      return events.load(id);
    },
    listEventTypes: async () => [...(await services.eventTypes.get(requestBudget())).list],
    loadEventType(id) {
      const known = services.eventTypes.peek(id);
      if (known) return known;
      eventTypes ??= new DataLoader((ids) => services.eventTypes.lookup(ids, requestBudget()));
      return eventTypes.load(id);
    },
    listFailedProvisionings: (input) =>
      services.failedProvisionings.listFailedProvisionings(input, requestBudget()),
    createEvent: (input) => services.legacyEvents.createEvent(input, requestBudget()),
  };
}
