import { GraphQLError } from 'graphql';

import type {
  IdempotencyRecord,
  IdempotencyStore,
  IdempotentWrite,
} from '../cache/IdempotencyStore';
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
 * How far a look-up window reaches before a write was sent and after its
 * answer came back: OneLogin stamps `created_at` by its own clock, which
 * may be off the gateway's, `since`/`until` count whole seconds (eventWindow.ts
 * widens them), and a write may be recorded a little after a proxy gave up on
 * it. Wide enough for clocks kept by NTP and a slow write, narrow enough to
 * keep twins (see recordedEventMatch.ts) rare and the look-up short.
 */
const LOOKUP_MARGIN_MS = 5_000;
/** At most this many pages of 50 per look-up (each one call to OneLogin, charged to the request). */
const LOOKUP_MAX_PAGES = 10;
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
      const firstSeenAt = record?.firstSeenAt ?? this.now().getTime();

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
      const earlierWrites = record?.state === 'unknown' ? record.writes : [];
      const write: IdempotentWrite = { sentAt: this.now().getTime() };
      const sending: IdempotencyRecord = {
        state: 'unknown',
        fingerprint,
        firstSeenAt,
        writes: [...earlierWrites, write],
      };
      await store.put(scoped, sending);
      try {
        await this.write(client, event, budget, true);
      } catch (error) {
        if (isGraphQLErrorWithCode(error, ErrorCode.UPSTREAM_OUTCOME_UNKNOWN)) {
          await store.put(scoped, {
            ...sending,
            writes: [...earlierWrites, { ...write, answeredAt: this.now().getTime() }],
          });
        } else if (record) {
          // Anything else means nothing was written this time (refused with a
          // 4xx, or never sent): the key is as it was before.
          await store.put(scoped, record);
        } else {
          await store.delete(scoped);
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
   * of the same type (and user), with the same values, not claimed by another
   * key, and created while one of the key's writes was under way (from shortly
   * before it was sent to shortly after its answer): one window per write, or
   * per run of overlapping ones, oldest first, so that retries spread over
   * minutes do not make one long window.
   */
  private async findRecorded(
    event: NewEvent,
    record: Extract<IdempotencyRecord, { state: 'unknown' }>,
    scoped: string,
    budget: UpstreamBudget,
  ): Promise<{ id: string; recordedAt: Date } | null> {
    let pagesLeft = LOOKUP_MAX_PAGES;
    let complete = true;
    for (const window of lookupWindows(record.writes, this.now().getTime())) {
      if (pagesLeft === 0) {
        complete = false;
        break;
      }
      const found = await this.options.events.findEvents(
        { eventTypeId: event.eventTypeId, userId: event.userId, ...window },
        matchFields(),
        budget,
        pagesLeft,
      );
      pagesLeft -= found.pages;
      for (const candidate of found.events) {
        if (!matchesNewEvent(candidate, event)) continue;
        const id = String(candidate.id);
        if (!(await this.options.idempotency.claim(id, scoped))) continue;
        this.options.logger.info(
          { eventId: id, writes: record.writes.length },
          'createEvent: an earlier write with this idempotency key was recorded; not writing it again',
        );
        return { id, recordedAt: instantOf(candidate.created_at) ?? this.now() };
      }
      if (!found.complete) complete = false;
    }
    if (!complete) {
      // Writing now could record it twice; refusing leaves the key as it is.
      throw new GraphQLError(
        `The gateway could not tell whether an earlier attempt with this \`idempotencyKey\` was recorded: OneLogin lists more than ${LOOKUP_MAX_PAGES * 50} ` +
          `events of type ${event.eventTypeId}${event.userId === null ? '' : ` for user ${event.userId}`} around the time it was sent, more than it looks through. ` +
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
      { writes: record.writes.length },
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

/**
 * The windows (epoch ms) in which OneLogin may have recorded one of `writes`:
 * each from LOOKUP_MARGIN_MS before it was sent to LOOKUP_MARGIN_MS after its
 * answer (or open, `untilMs: null`, for a write whose answer never came),
 * overlapping ones merged, oldest first.
 */
export function lookupWindows(
  writes: readonly IdempotentWrite[],
  nowMs: number,
): Array<{ sinceMs: number; untilMs: number | null }> {
  const windows = writes
    .map((write) => ({
      sinceMs: write.sentAt - LOOKUP_MARGIN_MS,
      untilMs: write.answeredAt === undefined ? null : write.answeredAt + LOOKUP_MARGIN_MS,
    }))
    .sort((a, b) => a.sinceMs - b.sinceMs);
  const merged: Array<{ sinceMs: number; untilMs: number | null }> = [];
  for (const window of windows) {
    const last = merged[merged.length - 1];
    if (last && (last.untilMs === null || window.sinceMs <= last.untilMs)) {
      last.untilMs =
        last.untilMs === null || window.untilMs === null
          ? null
          : Math.max(last.untilMs, window.untilMs);
    } else {
      merged.push({ ...window });
    }
  }
  // An open window reads up to the present anyway.
  return merged.map((window) =>
    window.untilMs !== null && window.untilMs > nowMs ? { ...window, untilMs: null } : window,
  );
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
