import { badUserInput } from '../errors/errors';

/**
 * The instants OneLogin is asked about: years 0001 to 9998, with a second to
 * spare at both ends for the whole-second widening below. Dates in years 0000
 * and 9999 (or beyond, once an offset is applied) came back refused, so the
 * gateway refuses them first.
 */
export const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:01.000Z');
export const LATEST_INSTANT = Date.parse('9998-12-31T23:59:58.999Z');

/** Checks a date argument OneLogin will be asked about; BAD_USER_INPUT naming `argument` otherwise. */
export function oneLoginInstant(value: Date, argument: string): number {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw badUserInput(`\`${argument}\` is not a valid date-time.`, argument);
  if (ms < EARLIEST_INSTANT || ms > LATEST_INSTANT) {
    throw badUserInput(
      `\`${argument}\` (${value.toISOString()}) is outside the dates OneLogin accepts: give an instant from ` +
        `${new Date(EARLIEST_INSTANT).toISOString()} to ${new Date(LATEST_INSTANT).toISOString()}.`,
      argument,
    );
  }
  return ms;
}
