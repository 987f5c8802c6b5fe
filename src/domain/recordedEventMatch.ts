import type { EventDto, EventField } from '../upstream/dto';
import type { CreateEventField, NewEvent } from './createEventInput';
import { CREATE_EVENT_FIELDS } from './createEventInput';

/**
 * Whether an event listed by `GET /api/1/events` is the one a `createEvent`
 * wrote, for the retry of a write whose outcome was unknown.
 *
 * What the match relies on. OneLogin's legacy write returns no id (API.md
 * §8.1), so the event can only be recognised by its values: every element the
 * gateway sent is compared with the field `/api/1/events` reports for it
 * (API.md §3.3), ids as canonical decimals, text exactly (the XML carries it
 * exactly, CRs included, see legacyEventXml), and every element left out must
 * be empty (null, absent or "": OneLogin shows `actor_system: ""` where no
 * system acted). `account-id` is not compared: OneLogin records the event in
 * the API key's account whatever the document says. The simulator records the
 * legacy elements this way; OneLogin documents nothing more.
 *
 * Its limits:
 * - Twins: two events with the same values recorded in the look-up's window
 *   (from shortly before each write with the key to shortly after its
 *   answer, see LegacyEventsAPI's lookupWindows) cannot be told apart.
 *   The caller takes the oldest match no other key has claimed, so two keys
 *   never take the same event, but an event recorded with the same values by
 *   a write without a key (or by another client of the account) can be taken
 *   for the lost write, which is then never sent: the event of that other write
 *   stands for both.
 * - Rewritten values: should OneLogin ever record a value other than as sent
 *   (e.g. fill `user_name` in from the directory, as its own events show
 *   display names, API.md §3.3), no event matches and the retry writes again.
 *   The match is strict on purpose: a miss costs a possible duplicate, a false
 *   match a lost event, and for an audit trail the duplicate is the lesser harm.
 * - Late writes: a write OneLogin records after the window (it was still
 *   queued behind a proxy that gave up on it) or after the retry has looked is
 *   not found, and the retry's own write makes two.
 */
export function matchesNewEvent(recorded: EventDto, event: NewEvent): boolean {
  for (const [field, rule] of MATCHED_FIELDS) {
    const wanted = event[field];
    const got = recordedValue(recorded, rule.name);
    if (rule.kind === 'id') {
      if (canonicalId(got) !== wanted) return false;
    } else if (wanted === null) {
      if (got !== null && got !== undefined && got !== '') return false;
    } else if (got !== wanted) {
      return false;
    }
  }
  return true;
}

/** The event fields a look-up asks OneLogin for (`fields=`): what the match compares, and when. */
export function matchFields(): EventField[] {
  return ['created_at', ...MATCHED_FIELDS.map(([, rule]) => rule.name)];
}

/** `/api/1/events`'s name for each Create Event element (hyphens become underscores). */
const MATCHED_FIELDS: ReadonlyArray<
  [Exclude<CreateEventField, 'accountId'>, { name: EventField; kind: 'id' | 'text' }]
> = (
  Object.entries(CREATE_EVENT_FIELDS) as Array<
    [CreateEventField, { element: string; kind: 'id' | 'text' }]
  >
)
  .filter(
    (
      entry,
    ): entry is [
      Exclude<CreateEventField, 'accountId'>,
      { element: string; kind: 'id' | 'text' },
    ] => entry[0] !== 'accountId',
  )
  .map(([field, rule]) => [
    field,
    { name: rule.element.replace(/-/g, '_') as EventField, kind: rule.kind },
  ]);

function recordedValue(recorded: EventDto, name: EventField): unknown {
  const value = recorded[name];
  // The doc table spells two fields with a hyphen; the API sends underscores (see EventDto).
  if (value === undefined && name === 'app_name') return recorded['app-name'];
  if (value === undefined && name === 'group_name') return recorded['group-name'];
  return value;
}

/** An id as OneLogin lists it (number or string, sometimes padded) in the canonical form of NewEvent, or null. */
function canonicalId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value.replace(/^0+(?=\d)/, '');
  return null;
}
