import type { EventTypeDto } from '../upstream/dto';
import type { CreatedEventModel, NewEvent } from './createEventInput';

/** How the event of a `createEvent` answer came to be recorded (`CreateEventOutcome`). */
export type CreateEventOutcome = 'CREATED' | 'FOUND_RECORDED';

/** What `createEvent` resolves `CreateEventPayload` to. */
export interface CreateEventResultModel {
  event: CreatedEventModel;
  outcome: CreateEventOutcome;
  /** The stored answer of an earlier request with the same idempotency key: nothing was sent. */
  replayed: boolean;
}

/** A `createEvent` answer as the idempotency store keeps it: plain JSON, the instant as ISO text. */
export interface StoredCreateEventResult {
  event: NewEvent;
  eventType: EventTypeDto;
  recordedAt: string;
  outcome: CreateEventOutcome;
  /** OneLogin's id of the event, when the gateway found it (the legacy write answers without one). */
  eventId?: string;
}

export function storedCreateEventResult(
  result: CreateEventResultModel,
  eventId?: string,
): StoredCreateEventResult {
  const { eventType, recordedAt, ...event } = result.event;
  return {
    event,
    eventType,
    recordedAt: recordedAt.toISOString(),
    outcome: result.outcome,
    ...(eventId === undefined ? {} : { eventId }),
  };
}

/** The first answer again, marked as replayed. */
export function replayedCreateEventResult(stored: StoredCreateEventResult): CreateEventResultModel {
  return {
    event: {
      ...stored.event,
      eventType: stored.eventType,
      recordedAt: new Date(stored.recordedAt),
    },
    outcome: stored.outcome,
    replayed: true,
  };
}
