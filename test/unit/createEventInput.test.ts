import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';

import type { CreateEventInputValues } from '../../src/domain/createEventInput';
import { legacyEventOf, validateCreateEventInput } from '../../src/domain/createEventInput';

const NOTHING_ELSE = {
  accountId: null,
  actorSystem: null,
  actorUserId: null,
  actorUserName: null,
  appId: null,
  appName: null,
  assumingActingUserId: null,
  customMessage: null,
  directorySyncRunId: null,
  groupId: null,
  groupName: null,
  ipAddress: null,
  otpDeviceId: null,
  otpDeviceName: null,
  policyId: null,
  policyName: null,
  roleId: null,
  roleName: null,
  userId: null,
  userName: null,
};

/** The error `validateCreateEventInput` throws, as a client sees its message and extensions. */
function rejection(input: CreateEventInputValues) {
  try {
    validateCreateEventInput(input);
  } catch (error) {
    if (error instanceof GraphQLError)
      return { message: error.message, extensions: error.extensions };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('validateCreateEventInput', () => {
  it('accepts every field of the seed, with ids in canonical form and text as given', () => {
    const event = validateCreateEventInput({
      eventTypeId: '9',
      accountId: '123456',
      actorSystem: 'API',
      actorUserId: '0654321',
      actorUserName: 'jgonsales',
      appId: '11111',
      appName: 'Mobile Sales',
      assumingActingUserId: '77',
      customMessage: ' sales app event\r\n',
      directorySyncRunId: '88',
      groupId: '44444',
      groupName: 'sales-group',
      ipAddress: '2001:db8::1',
      otpDeviceId: '55555',
      otpDeviceName: 'j-mobile',
      policyId: '22222',
      policyName: 'app-policy',
      roleId: '33333',
      roleName: 'employee-role',
      userId: '88888',
      userName: 'Juniper Gonsales',
    });
    expect(event).toEqual({
      eventTypeId: '9',
      accountId: '123456',
      actorSystem: 'API',
      actorUserId: '654321',
      actorUserName: 'jgonsales',
      appId: '11111',
      appName: 'Mobile Sales',
      assumingActingUserId: '77',
      customMessage: ' sales app event\r\n',
      directorySyncRunId: '88',
      groupId: '44444',
      groupName: 'sales-group',
      ipAddress: '2001:db8::1',
      otpDeviceId: '55555',
      otpDeviceName: 'j-mobile',
      policyId: '22222',
      policyName: 'app-policy',
      roleId: '33333',
      roleName: 'employee-role',
      userId: '88888',
      userName: 'Juniper Gonsales',
    });
    expect(legacyEventOf(event)).toEqual({
      'event-type-id': '9',
      'account-id': '123456',
      'actor-system': 'API',
      'actor-user-id': '654321',
      'actor-user-name': 'jgonsales',
      'app-id': '11111',
      'app-name': 'Mobile Sales',
      'assuming-acting-user-id': '77',
      'custom-message': ' sales app event\r\n',
      'directory-sync-run-id': '88',
      'group-id': '44444',
      'group-name': 'sales-group',
      ipaddr: '2001:db8::1',
      'otp-device-id': '55555',
      'otp-device-name': 'j-mobile',
      'policy-id': '22222',
      'policy-name': 'app-policy',
      'role-id': '33333',
      'role-name': 'employee-role',
      'user-id': '88888',
      'user-name': 'Juniper Gonsales',
    });
  });

  it('needs only the event type, and leaves out of the document what the input left out', () => {
    const event = validateCreateEventInput({ eventTypeId: '5', userName: null });
    expect(event).toEqual({ eventTypeId: '5', ...NOTHING_ELSE });
    expect(legacyEventOf(event)).toEqual({ 'event-type-id': '5' });
  });

  it('counts length in characters, so an emoji is one', () => {
    const name = '😀'.repeat(255);
    expect(validateCreateEventInput({ eventTypeId: '5', userName: name }).userName).toBe(name);
  });

  it.each<[string, CreateEventInputValues, string, string]>([
    [
      'a malformed event type id',
      { eventTypeId: 'five' },
      'input.eventTypeId',
      '`input.eventTypeId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "five").',
    ],
    [
      'an id beyond what OneLogin accepts',
      { eventTypeId: '5', userId: '2147483648' },
      'input.userId',
      '`input.userId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "2147483648").',
    ],
    [
      'a zero id',
      { eventTypeId: '5', groupId: '0' },
      'input.groupId',
      '`input.groupId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "0").',
    ],
    [
      'an address that is too long',
      { eventTypeId: '5', ipAddress: '1'.repeat(256) },
      'input.ipAddress',
      '`input.ipAddress` must be at most 255 characters (got 256).',
    ],
    [
      'an empty string',
      { eventTypeId: '5', roleName: '' },
      'input.roleName',
      '`input.roleName` must not be empty: leave it out instead.',
    ],
    [
      'a name one character too long',
      { eventTypeId: '5', appName: 'x'.repeat(256) },
      'input.appName',
      '`input.appName` must be at most 255 characters (got 256).',
    ],
    [
      'a message one character too long',
      { eventTypeId: '5', customMessage: 'x'.repeat(1001) },
      'input.customMessage',
      '`input.customMessage` must be at most 1000 characters (got 1001).',
    ],
    [
      'a control character',
      { eventTypeId: '5', customMessage: 'ring\u0007' },
      'input.customMessage',
      "`input.customMessage` contains U+0007 (character 5), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'NUL after an emoji (positions count characters)',
      { eventTypeId: '5', userName: '😀\u0000' },
      'input.userName',
      "`input.userName` contains U+0000 (character 2), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'an unpaired high surrogate',
      { eventTypeId: '5', groupName: 'half \ud83d' },
      'input.groupName',
      "`input.groupName` contains an unpaired surrogate U+D83D (character 6), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'an unpaired low surrogate',
      { eventTypeId: '5', actorSystem: '\ude00' },
      'input.actorSystem',
      "`input.actorSystem` contains an unpaired surrogate U+DE00 (character 1), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
    [
      'the noncharacter U+FFFF',
      { eventTypeId: '5', policyName: 'a\uffff' },
      'input.policyName',
      "`input.policyName` contains U+FFFF (character 2), which XML cannot carry: OneLogin's legacy API takes XML 1.0, which allows tab, line feed and carriage return but no other control character, no unpaired surrogate and neither U+FFFE nor U+FFFF.",
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field', (_name, input, argument, message) => {
    expect(rejection(input)).toEqual({
      message,
      extensions: { code: 'BAD_USER_INPUT', argument },
    });
  });
});
