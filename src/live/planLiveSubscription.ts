import type { EventsQueryInput } from '../domain/eventQuery';
import { planEventsQuery } from '../domain/eventQuery';
import type { EventWindow } from '../domain/eventWindow';
import { windowContains } from '../domain/eventWindow';
import type { FeedPosition } from '../domain/liveCursor';
import { decodeLiveCursor } from '../domain/liveCursor';
import { badUserInput } from '../errors/errors';
import type { EventDto } from '../upstream/dto';

export interface LiveSubscriptionInput {
  filter?: EventsQueryInput['filter'];
  after?: string | null;
}

/** A checked `eventAdded` subscription. */
export interface LivePlan {
  /** Whether a published event is one this subscriber asked for (its filter, window included). */
  matches(event: EventDto): boolean;
  /** OneLogin's filter parameters for a replay (without `since`, which the replay sets). */
  replayParams: Readonly<Record<string, string>>;
  window: EventWindow | null;
  /** Where to resume (`after`), if given. */
  after: FeedPosition | undefined;
}

/**
 * Checks `eventAdded`'s arguments before anything is called: the filter exactly
 * as `events` checks it (planEventsQuery, so the same input gets the same
 * `BAD_USER_INPUT`), and `after`, which must be a cursor this gateway issued
 * (see domain/liveCursor.ts) and, when it records its event's creation time,
 * no older than `resumeMaxAgeMs`.
 */
export function planLiveSubscription(
  input: LiveSubscriptionInput,
  options: {
    paging: { defaultPageSize: number; maxPageSize: number };
    resumeMaxAgeMs: number;
    nowMs: number;
  },
): LivePlan {
  const { params, window } = planEventsQuery({ filter: input.filter ?? null }, options.paging);
  let after: FeedPosition | undefined;
  if (input.after != null) {
    const decoded = decodeLiveCursor(input.after);
    if (!decoded.ok) {
      throw badUserInput(
        '`after` is not a cursor of this gateway: pass an `Event.liveCursor` (or an edge `cursor` of `events`) exactly as the gateway returned it.',
        'after',
      );
    }
    after = decoded.position;
    if (after.createdAtMs !== undefined) checkAge(after.createdAtMs, options);
  }
  const replayParams = Object.fromEntries(
    Object.entries(params).filter(([name]) => name !== 'since'),
  );
  return { matches: matcher(params, window), replayParams, window, after };
}

/** Refuses a resume point older than `resumeMaxAgeMs` (BAD_USER_INPUT). */
export function checkAge(
  createdAtMs: number,
  options: { resumeMaxAgeMs: number; nowMs: number },
): void {
  if (options.nowMs - createdAtMs <= options.resumeMaxAgeMs) return;
  throw badUserInput(
    `\`after\` has expired: its event is older than ${Math.round(options.resumeMaxAgeMs / 1000)} s, ` +
      'more than the live feed replays (LIVE_RESUME_MAX_AGE_SECONDS). Query `events` with `filter.since` for what you missed, then subscribe without `after`.',
    'after',
  );
}

/** The filter as a predicate over an event, with OneLogin's parameter names (see planEventsQuery). */
function matcher(
  params: Readonly<Record<string, string>>,
  window: EventWindow | null,
): (event: EventDto) => boolean {
  const types = params['event_type_id'] ? new Set(params['event_type_id'].split(',')) : undefined;
  const equal: Array<[keyof EventDto, string]> = [];
  for (const [param, field] of [
    ['user_id', 'user_id'],
    ['client_id', 'client_id'],
    ['directory_id', 'directory_id'],
    ['resolution', 'resolution'],
  ] as const) {
    const wanted = params[param];
    if (wanted !== undefined) equal.push([field, wanted]);
  }
  return (event) => {
    if (types && !types.has(String(event.event_type_id))) return false;
    for (const [field, wanted] of equal) {
      const value = event[field];
      if (value === null || value === undefined || String(value) !== wanted) return false;
    }
    return window === null || windowContains(window, event);
  };
}
