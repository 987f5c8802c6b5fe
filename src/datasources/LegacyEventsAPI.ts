import { GraphQLError } from 'graphql';

import type { IdempotencyRecord, IdempotencyStore } from '../cache/IdempotencyStore';
import type { CreateEventInputValues, NewEvent } from '../domain/createEventInput';
import { legacyEventOf, validateCreateEventInput } from '../domain/createEventInput';
import type { CreateEventResultModel } from '../domain/createEventResult';
import { replayedCreateEventResult, storedCreateEventResult } from '../domain/createEventResult';
import { createEventFingerprint, validateIdempotencyKey } from '../domain/idempotencyKey';
import { parseOneLoginDateTime } from '../domain/oneLoginDateTime';
import { matchesNewEvent, matchFields } from '../domain/recordedEventMatch';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import { ErrorCode } from '../errors/ErrorCode';
import { badUserInput, isGraphQLErrorWithCode } from '../errors/errors';
import type { Logger } from '../logging/createLogger';
import type { EventTypeDto } from '../upstream/dto';
import type { LegacyClient } from '../upstream/LegacyClient';
import { upstreamStatusOf } from '../upstream/upstreamError';
import type { EventsAPI } from './EventsAPI';
import type { EventTypeCatalog } from './EventTypeCatalog';
import { requireLegacyClient } from './requireLegacyClient';

export interface LegacyEventsAPIOptions {
  /** Absent without an API key: `createEvent` answers UPSTREAM_NOT_CONFIGURED. */
  client: LegacyClient | undefined;
  /** The event-type catalogue, to refuse unknown types before sending. */
  catalog: EventTypeCatalog;
  /** The outcomes of writes sent with an idempotency key, and their locks. */
  idempotency: IdempotencyStore;
  /** OneLogin's `/api/1/events`, to look for an event whose write had an unknown outcome. */
  events: Pick<EventsAPI, 'findEvents'>;
  logger: Logger;
  /** The gateway's clock, for `recordedAt` and the look-up's window. */
  now?: () => Date;
}

/**
 * How far before the first write the look-up starts: OneLogin stamps
 * `created_at` by its own clock, which may be behind the gateway's, and
 * `since` counts whole seconds (eventWindow.ts widens it by one more). Wide
 * enough for clocks kept by NTP, narrow enough to keep twins (see
 * recordedEventMatch.ts) rare.
 */
const LOOKUP_MARGIN_MS = 10_000;
/** At most this many pages of 50 per look-up (each one call to OneLogin, charged to the request). */
const LOOKUP_MAX_PAGES = 5;
/** What IDEMPOTENCY_KEY_IN_USE tells the client to wait: most writes take well under a second. */
const IN_USE_RETRY_AFTER_SECONDS = 1;

/**
 * Events written through OneLogin's legacy `POST /api/v1/events.xml`. Every
 * value is checked first (form, then the event type against the cached
 * catalogue); each request sends the event once at most.
 *
 * With an idempotency key, a request first asks the store what became of the
 * key (see IdempotencyStore): answered before → the stored answer, with no
 * upstream call; an unknown outcome before → the event is looked for in
 * `/api/1/events` (matched as recordedEventMatch.ts says) and written only when
 * it is not there. One request at a time works on a key, across replicas.
 */
export class LegacyEventsAPI {
  private readonly now: () => Date;

  constructor(private readonly options: LegacyEventsAPIOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Records one event; `callerId` scopes the input's idempotency key (see Caller.id). */
  async createEvent(
    input: CreateEventInputValues & { idempotencyKey?: string | null },
    callerId: string,
    budget: UpstreamBudget,
  ): Promise<CreateEventResultModel> {
    const client = requireLegacyClient(this.options.client, 'createEvent');
    const { idempotencyKey, ...values } = input;
    const event = validateCreateEventInput(values);
    if (idempotencyKey === undefined || idempotencyKey === null) {
      const eventType = await this.eventTypeOf(event, budget);
      await this.write(client, event, budget, false);
      return created(event, eventType, this.now());
    }
    const key = validateIdempotencyKey(idempotencyKey);
    return this.createOnce(client, event, this.options.idempotency.scope(callerId, key), budget);
  }

  private async createOnce(
    client: LegacyClient,
    event: NewEvent,
    scoped: string,
    budget: UpstreamBudget,
  ): Promise<CreateEventResultModel> {
    const store = this.options.idempotency;
    const fingerprint = createEventFingerprint(event);
    const earlier = answerFrom(await store.get(scoped), fingerprint);
    if (earlier) return earlier;
    const lock = await store.lock(scoped);
    if (!lock) {
      // The holder may have finished since the first read.
      const finished = answerFrom(await store.get(scoped), fingerprint);
      if (finished) return finished;
      throw keyInUse();
    }
    try {
      const record = await store.get(scoped);
      const answered = answerFrom(record, fingerprint);
      if (answered) return answered;
      const eventType = await this.eventTypeOf(event, budget);
      const started = this.now().getTime();
      const firstSeenAt = record?.firstSeenAt ?? started;

      if (record?.state === 'unknown') {
        const found = await this.findRecorded(event, record, scoped, budget);
        if (found) {
          const result: CreateEventResultModel = {
            event: { ...event, eventType, recordedAt: found.recordedAt },
            outcome: 'FOUND_RECORDED',
            replayed: false,
          };
          await store.put(scoped, {
            state: 'done',
            fingerprint,
            firstSeenAt,
            result: storedCreateEventResult(result, found.id),
          });
          return result;
        }
      }

      // Marked before sending: whatever happens to this request from here on,
      // the next one with the key looks before it writes.
      await store.put(scoped, {
        state: 'unknown',
        fingerprint,
        firstSeenAt,
        firstWriteAt: record?.state === 'unknown' ? record.firstWriteAt : started,
        writes: (record?.state === 'unknown' ? record.writes : 0) + 1,
      });
      try {
        await this.write(client, event, budget, true);
      } catch (error) {
        // Anything but an unknown outcome means nothing was written this time
        // (refused with a 4xx, or never sent): the key is as it was before.
        if (!isGraphQLErrorWithCode(error, ErrorCode.UPSTREAM_OUTCOME_UNKNOWN)) {
          if (record) await store.put(scoped, record);
          else await store.delete(scoped);
        }
        throw error;
      }
      const result = created(event, eventType, this.now());
      await store.put(scoped, {
        state: 'done',
        fingerprint,
        firstSeenAt,
        result: storedCreateEventResult(result),
      });
      return result;
    } finally {
      await lock.release();
    }
  }

  /**
   * The event an earlier write with this key recorded, if OneLogin lists it:
   * of the same type (and user), created since shortly before the first write,
   * with the same values, and not claimed by another key. Oldest first.
   */
  private async findRecorded(
    event: NewEvent,
    record: Extract<IdempotencyRecord, { state: 'unknown' }>,
    scoped: string,
    budget: UpstreamBudget,
  ): Promise<{ id: string; recordedAt: Date } | null> {
    const sinceMs = record.firstWriteAt - LOOKUP_MARGIN_MS;
    const { events, complete } = await this.options.events.findEvents(
      { eventTypeId: event.eventTypeId, userId: event.userId, sinceMs },
      matchFields(),
      budget,
      LOOKUP_MAX_PAGES,
    );
    for (const candidate of events) {
      if (!matchesNewEvent(candidate, event)) continue;
      const id = String(candidate.id);
      if (!(await this.options.idempotency.claim(id, scoped))) continue;
      this.options.logger.info(
        { eventId: id, writes: record.writes },
        'createEvent: an earlier write with this idempotency key was recorded; not writing it again',
      );
      return { id, recordedAt: instantOf(candidate.created_at) ?? this.now() };
    }
    if (!complete) {
      // Writing now could record it twice, and refusing keeps the key as it is.
      throw new GraphQLError(
        `The gateway could not tell whether an earlier attempt with this \`idempotencyKey\` was recorded: OneLogin lists more than ${LOOKUP_MAX_PAGES * 50} ` +
          `events of type ${event.eventTypeId}${event.userId === null ? '' : ` for user ${event.userId}`} since it was sent, more than it looks through. ` +
          'Nothing was sent; look for the event with `events` before you send it with a new key.',
        {
          extensions: {
            code: ErrorCode.UPSTREAM_OUTCOME_UNKNOWN,
            upstream: { service: 'onelogin', status: null },
          },
        },
      );
    }
    this.options.logger.info(
      { writes: record.writes },
      'createEvent: no earlier write with this idempotency key was recorded; writing it',
    );
    return null;
  }

  private async eventTypeOf(event: NewEvent, budget: UpstreamBudget): Promise<EventTypeDto> {
    const [eventType] = await this.options.catalog.lookup([event.eventTypeId], budget);
    if (!eventType) {
      throw badUserInput(
        `\`input.eventTypeId\` ${event.eventTypeId} is not an event type OneLogin knows: see \`Query.eventTypes\` for the ids.`,
        'input.eventTypeId',
      );
    }
    return eventType;
  }

  /** One write; an unknown outcome says how to retry, depending on whether a key came with it. */
  private async write(
    client: LegacyClient,
    event: NewEvent,
    budget: UpstreamBudget,
    keyed: boolean,
  ): Promise<void> {
    await budget.spend('legacy');
    try {
      await client.createEvent(legacyEventOf(event), budget.legacy);
    } catch (error) {
      if (isGraphQLErrorWithCode(error, ErrorCode.UPSTREAM_OUTCOME_UNKNOWN)) {
        throw outcomeUnknown(error, keyed);
      }
      throw error;
    }
  }
}

function created(
  event: NewEvent,
  eventType: EventTypeDto,
  recordedAt: Date,
): CreateEventResultModel {
  return { event: { ...event, eventType, recordedAt }, outcome: 'CREATED', replayed: false };
}

/** What the store says for this input: the earlier answer, null to go on, or a reused key. */
function answerFrom(
  record: IdempotencyRecord | undefined,
  fingerprint: string,
): CreateEventResultModel | null {
  if (!record) return null;
  if (record.fingerprint !== fingerprint) {
    throw new GraphQLError(
      'This `idempotencyKey` was used in the last 24 hours for a different input; nothing was sent. ' +
        'A key stands for one event: make a new key for a new event, and send an unchanged input with every retry.',
      {
        extensions: {
          code: ErrorCode.IDEMPOTENCY_KEY_REUSED,
          argument: 'input.idempotencyKey',
        },
      },
    );
  }
  return record.state === 'done' ? replayedCreateEventResult(record.result) : null;
}

function keyInUse(): GraphQLError {
  return new GraphQLError(
    `A \`createEvent\` with this \`idempotencyKey\` is still running; nothing was sent. Try again in ${IN_USE_RETRY_AFTER_SECONDS} s to get its answer.`,
    {
      extensions: {
        code: ErrorCode.IDEMPOTENCY_KEY_IN_USE,
        argument: 'input.idempotencyKey',
        retryAfterSeconds: IN_USE_RETRY_AFTER_SECONDS,
      },
    },
  );
}

/** UPSTREAM_OUTCOME_UNKNOWN with advice on retrying; the code and `upstream` are kept. */
function outcomeUnknown(error: GraphQLError, keyed: boolean): GraphQLError {
  const status = upstreamStatusOf(error);
  const what =
    'The event may or may not have been recorded by OneLogin: no answer, or a server error from OneLogin or a proxy ' +
    `in front of it, came back after it was sent${status === null ? '' : ` (HTTP ${status})`}. It was not retried.`;
  const advice = keyed
    ? ' Retry with the same `idempotencyKey` and input: the gateway then looks for the event in OneLogin before it writes it again, so it is recorded once.'
    : ' Look for it with `events` before you send it again. To make retrying safe, send each event with an `idempotencyKey`: ' +
      'a retry with the same key looks for the event itself before it writes.';
  return new GraphQLError(what + advice, { extensions: error.extensions });
}

/** `created_at` as listed (ISO 8601, or another of OneLogin's forms), or null. */
function instantOf(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const at = Date.parse(value);
  if (!Number.isNaN(at) && value.endsWith('Z')) return new Date(at);
  return parseOneLoginDateTime(value);
}
