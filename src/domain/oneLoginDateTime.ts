/**
 * Dates as OneLogin writes them. Every form the evidence shows is read (API.md):
 * ISO 8601 with and without milliseconds and with any offset (the events API),
 * `2017-12-05 19:13:06 UTC` (seen in the events API's samples), and the legacy
 * failed-provisioning form below.
 */

/**
 * `yyyy/MM/dd HH:mm:ss ±hhmm`, OneLogin's legacy failed-provisioning date
 * (API.md §8.3, e.g. `2014/09/08 18:17:23 -0700`). The slashes arrive
 * JSON-escaped (`2014\/09\/08`); after JSON parsing they are plain, but an
 * escaped one is read too. The offset may also be `±hh:mm`, `±hh`, `Z` or `UTC`.
 */
const LEGACY =
  /^(\d{4})\\?\/(\d{2})\\?\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) ?(Z|UTC|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * ISO 8601 / RFC 3339 with an offset, e.g. `2014-09-08T18:17:23-07:00`,
 * `2014-09-09T01:17:23.000Z`, or with a space and `UTC`: `2017-12-05 19:13:06 UTC`.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))? ?(Z|UTC|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * The instant a OneLogin date names, or null when `value` is not one: the legacy
 * `2014/09/08 18:17:23 -0700` form, or ISO 8601 with an offset (also with a
 * space and `UTC`). A date without an offset is refused: it would be a guess
 * at the account's zone.
 */
export function parseOneLoginDateTime(value: string): Date | null {
  const trimmed = value.trim();
  const legacy = LEGACY.exec(trimmed);
  const iso = legacy ? null : ISO.exec(trimmed);
  const match = legacy ?? iso;
  if (!match) return null;
  // Both patterns capture year, month, day, hour, minute and second first.
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map(Number);
  const fraction = iso ? (match[7] ?? '') : '';
  const zone = (iso ? match[8] : match[7]) as string;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const offsetMinutes = offsetOf(zone);
  if (offsetMinutes === null) return null;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

/** Minutes east of UTC, or null for an impossible offset. */
function offsetOf(zone: string): number | null {
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'UTC') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 18 || minutes > 59) return null;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
