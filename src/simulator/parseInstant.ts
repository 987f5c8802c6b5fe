const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of an ISO-8601 date or date-time, or null when `value` is not one. Accepts what the
 * docs and the SDKs send: `2018-11-01T19:44:55.000Z`, `2018-11-01T19:44:55Z` (Ruby, XSOAR,
 * StreamAlert), offsets such as `2015-01-21T09:20:15-08:00` (seed 004), and a bare date. A value
 * without a zone is UTC, as the API documents all its instants. An unencoded `+` in a query
 * string arrives as a space, so a space before the offset is read as `+`.
 */
export function parseInstant(raw: string): number | null {
  const value = raw.trim().replace(/ (\d{2}(?::?\d{2})?)$/, '+$1');
  const match = INSTANT.exec(value);
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] =
    match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2) || '0');
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}
