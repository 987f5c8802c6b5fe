import { badUserInput } from '../errors/errors';
import type { EventTypeDto } from '../upstream/dto';
import type { LegacyEventDto, LegacyEventElement } from '../upstream/legacyDto';
import { oneLoginInteger } from './oneLoginId';

type FieldRule =
  | { element: LegacyEventElement; kind: 'id' }
  | { element: LegacyEventElement; kind: 'text'; maxLength: number };

/** Names and the like; the limits are the gateway's (OneLogin documents none). */
const NAME_LENGTH = 255;
const MESSAGE_LENGTH = 1000;

/**
 * Every field of `CreateEventInput`: the Create Event element it becomes
 * (API.md §8.1) and how it is checked. In the order of the schema, which is
 * the order errors are found in.
 */
export const CREATE_EVENT_FIELDS = {
  eventTypeId: { element: 'event-type-id', kind: 'id' },
  accountId: { element: 'account-id', kind: 'id' },
  actorSystem: { element: 'actor-system', kind: 'text', maxLength: NAME_LENGTH },
  actorUserId: { element: 'actor-user-id', kind: 'id' },
  actorUserName: { element: 'actor-user-name', kind: 'text', maxLength: NAME_LENGTH },
  appId: { element: 'app-id', kind: 'id' },
  appName: { element: 'app-name', kind: 'text', maxLength: NAME_LENGTH },
  assumingActingUserId: { element: 'assuming-acting-user-id', kind: 'id' },
  customMessage: { element: 'custom-message', kind: 'text', maxLength: MESSAGE_LENGTH },
  directorySyncRunId: { element: 'directory-sync-run-id', kind: 'id' },
  groupId: { element: 'group-id', kind: 'id' },
  groupName: { element: 'group-name', kind: 'text', maxLength: NAME_LENGTH },
  // The legacy API types `ipaddr` as a free string (API.md §7) and OneLogin's own
  // samples carry values no IP parser accepts (`123.456.789.0`): text, as given.
  ipAddress: { element: 'ipaddr', kind: 'text', maxLength: NAME_LENGTH },
  otpDeviceId: { element: 'otp-device-id', kind: 'id' },
  otpDeviceName: { element: 'otp-device-name', kind: 'text', maxLength: NAME_LENGTH },
  policyId: { element: 'policy-id', kind: 'id' },
  policyName: { element: 'policy-name', kind: 'text', maxLength: NAME_LENGTH },
  roleId: { element: 'role-id', kind: 'id' },
  roleName: { element: 'role-name', kind: 'text', maxLength: NAME_LENGTH },
  userId: { element: 'user-id', kind: 'id' },
  userName: { element: 'user-name', kind: 'text', maxLength: NAME_LENGTH },
} as const satisfies Record<string, FieldRule>;

export type CreateEventField = keyof typeof CREATE_EVENT_FIELDS;
type OptionalField = Exclude<CreateEventField, 'eventTypeId'>;

/** `CreateEventInput` as GraphQL hands it over. */
export type CreateEventInputValues = { eventTypeId: string } & {
  [K in OptionalField]?: string | null;
};

/** A checked event: ids in canonical form, text as given, null where the input left a field out. */
export type NewEvent = { eventTypeId: string } & { [K in OptionalField]: string | null };

/** What `createEvent` resolves `CreateEventPayload.event` to. */
export type CreatedEventModel = NewEvent & {
  eventType: EventTypeDto;
  /** When OneLogin confirmed the event, by the gateway's clock. */
  recordedAt: Date;
};

/**
 * Checks every field of `CreateEventInput` before any upstream call. Each
 * error is BAD_USER_INPUT naming the field (`input.ipAddress`) and saying what
 * to fix. Whether the event type exists is checked against the catalogue by
 * the caller.
 */
export function validateCreateEventInput(input: CreateEventInputValues): NewEvent {
  const event: Record<string, string | null> = {};
  for (const [field, rule] of Object.entries(CREATE_EVENT_FIELDS) as Array<
    [CreateEventField, FieldRule]
  >) {
    const value = input[field];
    const argument = `input.${field}`;
    if (value === undefined || value === null) {
      event[field] = null;
    } else if (rule.kind === 'id') {
      event[field] = oneLoginInteger(value, argument);
    } else {
      event[field] = text(value, argument, rule.maxLength);
    }
  }
  return event as NewEvent;
}

/** The Create Event document for a checked event: one element per given value. */
export function legacyEventOf(event: NewEvent): LegacyEventDto {
  const dto: Partial<Record<LegacyEventElement, string>> = {};
  for (const [field, rule] of Object.entries(CREATE_EVENT_FIELDS) as Array<
    [CreateEventField, FieldRule]
  >) {
    const value = event[field];
    if (value !== null) dto[rule.element] = value;
  }
  return { ...dto, 'event-type-id': event.eventTypeId };
}

function text(value: string, argument: string, maxLength: number): string {
  if (value === '') {
    throw badUserInput(`\`${argument}\` must not be empty: leave it out instead.`, argument);
  }
  const bad = firstNonXmlCharacter(value);
  if (bad !== null) {
    throw badUserInput(
      `\`${argument}\` contains ${bad.name} (character ${bad.position}), which XML cannot carry: OneLogin's legacy API takes XML 1.0, ` +
        'which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.',
      argument,
    );
  }
  const length = codePointLength(value);
  if (length > maxLength) {
    throw badUserInput(
      `\`${argument}\` must be at most ${maxLength} characters (got ${length}).`,
      argument,
    );
  }
  return value;
}

/** XML 1.0's `Char` production (§2.2). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The first character XML 1.0 cannot carry, with its 1-based position in code points. */
function firstNonXmlCharacter(value: string): { name: string; position: number } | null {
  let position = 1;
  for (let i = 0; i < value.length; position += 1) {
    // A lone surrogate comes back as itself (0xD800-0xDFFF), which is not a Char.
    const code = value.codePointAt(i) as number;
    if (!isXmlChar(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      return {
        name: code >= 0xd800 && code <= 0xdfff ? `an unpaired surrogate U+${hex}` : `U+${hex}`,
        position,
      };
    }
    i += code > 0xffff ? 2 : 1;
  }
  return null;
}

function codePointLength(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; length += 1) {
    i += (value.codePointAt(i) as number) > 0xffff ? 2 : 1;
  }
  return length;
}
