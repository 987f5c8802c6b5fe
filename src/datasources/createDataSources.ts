import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';

import { createdAtMsOf } from '../domain/liveCursor';
import type { LiveSubscriptionInput } from '../live/planLiveSubscription';
import { planLiveSubscription } from '../live/planLiveSubscription';

import type { Caller } from '../auth/Caller';
import { oneLoginUserId } from '../auth/Caller';
import {
  eventAccess,
  otherUsersEvents,
  requireEventTypeAccess,
  requireScope,
} from '../auth/authorize';
import { Scope } from '../auth/scopes';

import type { CreateEventInputValues } from '../domain/createEventInput';
import type { CreateEventResultModel } from '../domain/createEventResult';
import type { EventConnectionModel } from '../domain/eventConnection';
import type { EventsQueryInput } from '../domain/eventQuery';
import type { FailedProvisioningConnectionModel } from '../domain/failedProvisioningConnection';
import type { FailedProvisioningsQueryInput } from '../domain/failedProvisioningsQuery';
import { oneLoginInteger } from '../domain/oneLoginId';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import type { UserReferenceModel } from '../domain/userReference';
import { ErrorCode } from '../errors/ErrorCode';
import type { EventDto, EventTypeDto } from '../upstream/dto';
import type { Services } from './createServices';

/**
 * The one door from resolvers to OneLogin: what resolvers reach through
 * `context.dataSources`. Created per request and cheap to create; nothing
 * long-lived is reachable from here, and every method charges this request's
 * UpstreamBudget. The loaders are built on first use, so they batch within one
 * request and never leak data between requests.
 *
 * It is also where the caller is authorised, on every read, whether the answer
 * comes from OneLogin or from a cache shared by all callers (the caches hold
 * what the gateway's one OneLogin credential may see): see auth/authorize.ts.
 */
export interface DataSources {
  /** The caller as a `User` entity; null when its credential names no OneLogin user. */
  me(): UserReferenceModel | null;
  /**
   * A page of `GET /api/1/events` as a connection. A caller with only
   * `events:read:self` gets its own events (the filter is narrowed to its user
   * id) and FORBIDDEN for another user's. `field` names the field for messages.
   */
  listEvents(
    input: EventsQueryInput,
    selection: readonly string[],
    field?: string,
  ): Promise<EventConnectionModel>;
  /**
   * One event by id; look-ups in the same tick are batched, answered from the
   * cache where possible and otherwise fetched a few at a time.
   * `selection` names the `Event` fields the caller needs. Another user's event
   * is null for a self-scoped caller, as if it did not exist.
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
  /**
   * Legacy API: writes one event (never retried by the gateway). With an
   * idempotency key, scoped to this caller, a retry is answered from the
   * earlier outcome or looks for the event before it writes (LegacyEventsAPI).
   */
  createEvent(
    input: CreateEventInputValues & { idempotencyKey?: string | null },
  ): Promise<CreateEventResultModel>;
  /**
   * `eventAdded`: the new events matching `input.filter`, resumed after
   * `input.after` (see live/LiveFeed). The arguments are checked and the caller
   * authorised before anything is called; a self-scoped caller's filter is
   * narrowed to its own user id, and every event delivered is checked again
   * against it. A GraphQLError item ends the feed (too slow, shutdown).
   */
  subscribeEventAdded(
    input: LiveSubscriptionInput,
  ): Promise<AsyncIterableIterator<EventDto | GraphQLError>>;
}

export interface RequestScope {
  caller: Caller;
  /** What this request may spend upstream, and by when (Services.requestBudget makes one). */
  budget: UpstreamBudget;
  /**
   * A subscription's next budget: each event it delivers is resolved with a new
   * one (a budget's deadline and maximum are per request, and a subscription
   * lasts for hours). Absent for queries and mutations.
   */
  renewBudget?: () => UpstreamBudget;
}

export function createDataSources(services: Services, request: RequestScope): DataSources {
  const { caller } = request;
  let eventTypes: DataLoader<string, EventTypeDto | null> | undefined;
  let events: DataLoader<string, EventDto | null> | undefined;
  const selection = new Set<string>();
  let writes = 0;
  const requestBudget = () => request.budget;
  return {
    me: () => (caller.userId === undefined ? null : { id: caller.userId }),
    listEvents(input, fields, field = 'events') {
      const access = eventAccess(caller, field);
      if (access.kind === 'self') {
        const asked = input.filter?.userId;
        if (asked == null) {
          input = { ...input, filter: { ...input.filter, userId: access.userId } };
        } else if (oneLoginInteger(asked, 'filter.userId') !== access.userId) {
          throw otherUsersEvents(field, access);
        }
      }
      return services.events.listEvents(input, fields, requestBudget());
    },
    async loadEvent(id, fields) {
      const access = eventAccess(caller, 'event');
      for (const name of fields) selection.add(name);
      // The owner is needed to decide, whether the caller asked for it or not.
      if (access.kind === 'self') selection.add('userId');
      events ??= new DataLoader((ids) =>
        services.events.getEvents(ids, [...selection], requestBudget()),
      );
      const event = await events.load(id);
      if (event && access.kind === 'self' && oneLoginUserId(event.user_id) !== access.userId) {
        return null;
      }
      return event;
    },
    async listEventTypes() {
      requireEventTypeAccess(caller, 'eventTypes');
      return [...(await services.eventTypes.get(requestBudget())).list];
    },
    loadEventType(id) {
      requireEventTypeAccess(caller, 'eventType');
      const known = services.eventTypes.peek(id);
      if (known) return known;
      eventTypes ??= new DataLoader((ids) => services.eventTypes.lookup(ids, requestBudget()));
      return eventTypes.load(id);
    },
    listFailedProvisionings(input) {
      requireScope(caller, Scope.PROVISIONING_READ, 'failedProvisionings');
      return services.failedProvisionings.listFailedProvisionings(input, requestBudget());
    },
    async createEvent(input) {
      requireScope(caller, Scope.EVENTS_WRITE, 'createEvent');
      // The operation is refused before execution when it holds more (see
      // server/operationLimits.ts); this guards the door itself.
      writes += 1;
      if (writes > services.createEventsPerRequest) {
        throw new GraphQLError(
          `One request may hold at most ${services.createEventsPerRequest} \`createEvent\` (CREATE_EVENTS_PER_REQUEST_MAX).`,
          {
            extensions: {
              code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
              limit: 'createEventsPerRequest',
              max: services.createEventsPerRequest,
            },
          },
        );
      }
      return services.legacyEvents.createEvent(input, caller.id, requestBudget());
    },
    async subscribeEventAdded(input) {
      const access = eventAccess(caller, 'eventAdded');
      if (access.kind === 'self') {
        const asked = input.filter?.userId;
        if (asked == null) {
          input = { ...input, filter: { ...input.filter, userId: access.userId } };
        } else if (oneLoginInteger(asked, 'filter.userId') !== access.userId) {
          throw otherUsersEvents('eventAdded', access);
        }
      }
      const plan = planLiveSubscription(input, { ...services.liveLimits, nowMs: Date.now() });
      const feed = await services.live.subscribe({
        plan,
        // Anonymous callers are trusted (AUTH_MODE=none): a router's many subscribers share one.
        capKey: caller.kind === 'anonymous' ? undefined : caller.id,
        // The filter already names the caller; this holds whatever the filter does.
        authorize:
          access.kind === 'self'
            ? (event) => oneLoginUserId(event.user_id) === access.userId
            : () => true,
        budget: requestBudget,
        async createdAtOf(eventId, budget) {
          const [event] = await services.events.getEvents([String(eventId)], ['createdAt'], budget);
          if (event instanceof Error) throw event;
          return event ? createdAtMsOf(event) : undefined;
        },
      });
      const iterator: AsyncIterableIterator<EventDto | GraphQLError> = {
        [Symbol.asyncIterator]: () => iterator,
        next: async () => {
          const item = await feed.next();
          if (!item.done && request.renewBudget) request.budget = request.renewBudget();
          return item;
        },
        // Straight through (not an async generator): an idle subscriber's `return` must not
        // wait for its next event to be cleaned up.
        return: () => feed.return?.() ?? Promise.resolve({ value: undefined, done: true }),
      };
      return iterator;
    },
  };
}
