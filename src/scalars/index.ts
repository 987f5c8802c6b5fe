import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, NonNegativeIntResolver } from 'graphql-scalars';

/**
 * `YYYY-MM-DDThh:mm:ss.sssZ` with a month, an hour, a minute and a second in
 * range (the day is checked against the month below): the form OneLogin sends
 * `created_at` in, and the form `Date#toISOString` writes.
 */
const CANONICAL_UTC =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const THIRTY_DAYS = new Set([4, 6, 9, 11]);

/**
 * Whether `value` is a valid date-time already written as graphql-scalars'
 * DateTime would write it: it turns a valid string into a Date, which the
 * response's `JSON.stringify` writes with `toISOString`, and for this form
 * that gives back the same string.
 */
export function isCanonicalUtcDateTime(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 24 || !CANONICAL_UTC.test(value)) return false;
  const day = Number(value.slice(8, 10));
  if (day <= 28) return true;
  const month = Number(value.slice(5, 7));
  if (month === 2) {
    const year = Number(value.slice(0, 4));
    return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  }
  return day <= 30 || !THIRTY_DAYS.has(month);
}

/**
 * graphql-scalars' DateTime, but a value already in canonical form is
 * written as it is, with the same checks and the same text in the response:
 * not through a Date per value, whose `toJSON` took `JSON.stringify` off its
 * fast path (together 2.7 % of the CPU of a 50-event page and a Date of
 * garbage per event). Anything else (offsets, no milliseconds, a lower-case
 * `z`, numbers, Dates, invalid values) goes to graphql-scalars as before.
 */
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => (isCanonicalUtcDateTime(value) ? value : DateTimeResolver.serialize(value)),
});

/** The custom scalars of schema/base.graphql, from graphql-scalars. */
export const scalars = {
  DateTime,
  NonNegativeInt: NonNegativeIntResolver,
};
