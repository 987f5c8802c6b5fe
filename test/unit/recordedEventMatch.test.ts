import { describe, expect, it } from '@jest/globals';

import { validateCreateEventInput } from '../../src/domain/createEventInput';
import { createEventFingerprint } from '../../src/domain/idempotencyKey';
import { lookupWindows } from '../../src/datasources/LegacyEventsAPI';
import { matchesNewEvent, matchFields } from '../../src/domain/recordedEventMatch';
import type { EventDto } from '../../src/upstream/dto';

/** An event as the gateway checked it: type 9 for user 88888, with a message and an app. */
const EVENT = validateCreateEventInput({
  eventTypeId: '9',
  userId: '88888',
  appId: '11111',
  appName: 'Mobile Sales',
  customMessage: 'denied\r\nline two',
  accountId: '123456',
});

/** The same event as `GET /api/1/events` lists it (every field the look-up asks for). */
function listed(overrides: Partial<EventDto> = {}): EventDto {
  return {
    id: 700000123,
    created_at: '2026-12-02T18:00:00.123Z',
    event_type_id: 9,
    user_id: 88888,
    app_id: 11111,
    app_name: 'Mobile Sales',
    custom_message: 'denied\r\nline two',
    actor_system: '',
    actor_user_id: null,
    actor_user_name: null,
    assuming_acting_user_id: null,
    directory_sync_run_id: null,
    group_id: null,
    group_name: null,
    ipaddr: null,
    otp_device_id: null,
    otp_device_name: null,
    policy_id: null,
    policy_name: null,
    role_id: null,
    role_name: null,
    user_name: null,
    // The API key's account, whatever the write said.
    account_id: 53413,
    ...overrides,
  };
}

describe('matchesNewEvent', () => {
  it('matches the event as OneLogin lists it: ids as numbers or padded strings, the account ignored', () => {
    expect(matchesNewEvent(listed(), EVENT)).toBe(true);
    expect(matchesNewEvent(listed({ user_id: '0088888', event_type_id: '9' }), EVENT)).toBe(true);
  });

  it('reads the hyphenated spellings of the doc table too', () => {
    const { app_name: _appName, ...rest } = listed();
    expect(matchesNewEvent({ ...rest, 'app-name': 'Mobile Sales' }, EVENT)).toBe(true);
  });

  it('takes null, absent and "" alike for a text the input left out', () => {
    expect(matchesNewEvent(listed({ actor_system: null }), EVENT)).toBe(true);
    const { role_name: _roleName, ...rest } = listed();
    expect(matchesNewEvent(rest, EVENT)).toBe(true);
    expect(matchesNewEvent(listed({ role_name: '' }), EVENT)).toBe(true);
  });

  it.each<[string, Partial<EventDto>]>([
    ['another type', { event_type_id: 5 }],
    ['another user', { user_id: 88889 }],
    ['no user', { user_id: null }],
    ['an id the input left out', { group_id: 44444 }],
    ['a text the input left out', { role_name: 'employee' }],
    ['another message', { custom_message: 'denied' }],
    ['the message with its CR lost', { custom_message: 'denied\nline two' }],
    ['the message trimmed', { custom_message: 'denied\r\nline two ' }],
    ['a name missing from the answer', { app_name: undefined }],
  ])('does not match an event with %s', (_what, overrides) => {
    expect(matchesNewEvent(listed(overrides), EVENT)).toBe(false);
  });

  it('asks OneLogin for every field it compares, and the creation time', () => {
    expect(matchFields().sort()).toEqual(
      [
        'created_at',
        'event_type_id',
        'actor_system',
        'actor_user_id',
        'actor_user_name',
        'app_id',
        'app_name',
        'assuming_acting_user_id',
        'custom_message',
        'directory_sync_run_id',
        'group_id',
        'group_name',
        'ipaddr',
        'otp_device_id',
        'otp_device_name',
        'policy_id',
        'policy_name',
        'role_id',
        'role_name',
        'user_id',
        'user_name',
      ].sort(),
    );
  });
});

describe('createEventFingerprint', () => {
  it('is the same for inputs OneLogin records alike, and differs otherwise', () => {
    const padded = validateCreateEventInput({
      eventTypeId: '009',
      userId: '88888',
      appId: '011111',
      appName: 'Mobile Sales',
      customMessage: 'denied\r\nline two',
      accountId: '123456',
    });
    expect(createEventFingerprint(padded)).toBe(createEventFingerprint(EVENT));
    expect(createEventFingerprint({ ...EVENT, customMessage: 'denied' })).not.toBe(
      createEventFingerprint(EVENT),
    );
    // A value moved to another field is another event.
    expect(createEventFingerprint({ ...EVENT, appName: null, groupName: 'Mobile Sales' })).not.toBe(
      createEventFingerprint(EVENT),
    );
    expect(createEventFingerprint({ ...EVENT, accountId: null })).not.toBe(
      createEventFingerprint(EVENT),
    );
  });
});

describe('lookupWindows', () => {
  const NOW = 1_000_000;

  it('gives each write a window from 5 s before it was sent to 5 s after its answer', () => {
    expect(lookupWindows([{ sentAt: 100_000, answeredAt: 100_200 }], NOW)).toEqual([
      { sinceMs: 95_000, untilMs: 105_200 },
    ]);
  });

  it('merges writes whose windows overlap, and keeps retries minutes apart apart', () => {
    expect(
      lookupWindows(
        [
          { sentAt: 100_000, answeredAt: 100_200 },
          { sentAt: 104_000, answeredAt: 104_100 },
          { sentAt: 400_000, answeredAt: 400_300 },
        ],
        NOW,
      ),
    ).toEqual([
      { sinceMs: 95_000, untilMs: 109_100 },
      { sinceMs: 395_000, untilMs: 405_300 },
    ]);
  });

  it('reads up to the present after a write whose answer never came (the gateway died during it)', () => {
    expect(
      lookupWindows([{ sentAt: 100_000 }, { sentAt: 400_000, answeredAt: 400_300 }], NOW),
    ).toEqual([{ sinceMs: 95_000, untilMs: null }]);
    // A window that ends in the future is open too.
    expect(lookupWindows([{ sentAt: NOW - 1000, answeredAt: NOW - 500 }], NOW)).toEqual([
      { sinceMs: NOW - 6000, untilMs: null },
    ]);
  });
});
