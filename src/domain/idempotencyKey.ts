import { createHash } from 'node:crypto';

import { badUserInput } from '../errors/errors';
import type { NewEvent } from './createEventInput';
import { CREATE_EVENT_FIELDS } from './createEventInput';

const MIN_LENGTH = 8;
const MAX_LENGTH = 128;
const KEY_CHARACTER = /[A-Za-z0-9_-]/;
const EXAMPLE = 'e.g. a UUID made once per event';

/**
 * Checks `createEvent`'s `idempotencyKey`: 8 to 128 characters of
 * `[A-Za-z0-9_-]` (a UUID fits, and so does any base64url token). The form is
 * narrow on purpose: the key goes into store keys and logs, and a key with
 * spaces or non-ASCII text is more likely a message sent in the wrong field
 * than a key. BAD_USER_INPUT naming `input.idempotencyKey` otherwise.
 */
export function validateIdempotencyKey(value: string, argument = 'input.idempotencyKey'): string {
  if (value.length < MIN_LENGTH || value.length > MAX_LENGTH) {
    throw badUserInput(
      `\`${argument}\` must be ${MIN_LENGTH} to ${MAX_LENGTH} characters (got ${value.length}): ${EXAMPLE}.`,
      argument,
    );
  }
  for (let i = 0; i < value.length; i += 1) {
    const character = value[i] as string;
    if (!KEY_CHARACTER.test(character)) {
      const code = (value.codePointAt(i) as number).toString(16).toUpperCase().padStart(4, '0');
      throw badUserInput(
        `\`${argument}\` may hold only A-Z, a-z, 0-9, \`_\` and \`-\` (character ${i + 1} is U+${code}): ${EXAMPLE}.`,
        argument,
      );
    }
  }
  return value;
}

/**
 * A fingerprint of a checked event: SHA-256 over every field in schema order,
 * ids in canonical form and null where the input left a field out. Two inputs
 * that OneLogin would record alike (`"007"` and `"7"`) have the same
 * fingerprint; the key itself is not part of it.
 */
export function createEventFingerprint(event: NewEvent): string {
  const values = Object.keys(CREATE_EVENT_FIELDS).map(
    (field) => event[field as keyof NewEvent] ?? null,
  );
  return createHash('sha256').update(JSON.stringify(values), 'utf8').digest('hex');
}
