/** How a page of events is ordered: `+id`, `-id`, `+created_at` or `-created_at`. */
export interface EventsSort {
  field: 'id' | 'created_at';
  descending: boolean;
}

/** The position of an event in any sort order: created_at first where it matters, id to break ties. */
export interface EventKey {
  createdAtMs: number;
  id: number;
}

export interface EventsCursor {
  accountId: number;
  sort: EventsSort;
  key: EventKey;
}

export function formatSort(sort: EventsSort): string {
  return `${sort.descending ? '-' : '+'}${sort.field}`;
}

/**
 * Modelled on the live cursor, which base64-decodes to `account_id:::53413--##id:::904257546`
 * (API.md §3.2), with what keyset paging in every sort order needs added: the sort and
 * created_at. Padding is dropped, as in the sample.
 */
export function encodeEventsCursor(cursor: EventsCursor): string {
  const text = [
    `account_id:::${cursor.accountId}`,
    `sort:::${formatSort(cursor.sort)}`,
    `created_at:::${new Date(cursor.key.createdAtMs).toISOString()}`,
    `id:::${cursor.key.id}`,
  ].join('--##');
  return Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
}

const CURSOR_TEXT =
  /^account_id:::(\d{1,15})--##sort:::([+-])(id|created_at)--##created_at:::(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)--##id:::(\d{1,15})$/;

/**
 * The cursor, or null when `raw` is not one this simulator made. Tolerates what transport does to
 * base64: a `+` turned into a space by a client that did not encode it, URL-safe letters, padding.
 */
export function decodeEventsCursor(raw: string): EventsCursor | null {
  const base64 = raw.replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const match = CURSOR_TEXT.exec(Buffer.from(base64, 'base64').toString('utf8'));
  if (!match) return null;
  const [, accountId, sign, field, createdAt, id] = match;
  const createdAtMs = Date.parse(createdAt as string);
  if (Number.isNaN(createdAtMs) || new Date(createdAtMs).toISOString() !== createdAt) return null;
  return {
    accountId: Number(accountId),
    sort: { field: field as EventsSort['field'], descending: sign === '-' },
    key: { createdAtMs, id: Number(id) },
  };
}
