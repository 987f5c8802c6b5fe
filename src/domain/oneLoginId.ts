import { badUserInput } from '../errors/errors';
import { truncateForMessage } from './textArgument';

/** The largest value OneLogin accepts in a numeric filter (API.md §3.1: larger ones get a 400). */
export const MAX_ONELOGIN_INTEGER = 2_147_483_647;

/**
 * A OneLogin numeric id as the canonical decimal string; checks the range
 * OneLogin accepts, or throws BAD_USER_INPUT naming `argument`.
 */
export function oneLoginInteger(value: string, argument: string): string {
  const trimmed = value.trim();
  if (
    !/^\d{1,10}$/.test(trimmed) ||
    Number(trimmed) < 1 ||
    Number(trimmed) > MAX_ONELOGIN_INTEGER
  ) {
    throw badUserInput(
      `\`${argument}\` must be a OneLogin id: a whole number from 1 to ${MAX_ONELOGIN_INTEGER} (got "${truncateForMessage(value)}").`,
      argument,
    );
  }
  return String(Number(trimmed));
}
