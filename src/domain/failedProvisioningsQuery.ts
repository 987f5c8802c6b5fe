import { badUserInput } from '../errors/errors';
import { connectionKey } from './opaqueCursor';
import { decodeFailedProvisioningCursor } from './failedProvisioningCursor';
import { oneLoginInstant } from './oneLoginInstant';
import type { PagingArgumentsInput } from './pagingArguments';
import { readPagingArguments } from './pagingArguments';

const DAY_MS = 86_400_000;

export interface FailedProvisioningsQueryInput extends PagingArgumentsInput {
  startDate: Date;
  stopDate: Date;
}

/** A validated `failedProvisionings` query. */
export interface FailedProvisioningsQueryPlan {
  /** The range asked for, epoch ms, both ends inclusive. */
  startMs: number;
  stopMs: number;
  /**
   * What OneLogin is asked for, in its documented form (`2015-01-21T09:20:15Z`).
   * OneLogin keeps whole seconds and does not say whether its bounds are
   * inclusive, so this range is one second wider on each side than the whole
   * seconds around the range asked for; the gateway then keeps exactly the
   * range asked for. Also the cache key of the fetched list.
   */
  upstream: { startDate: string; stopDate: string };
  /** Binds cursors to the range. */
  key: string;
  mode: 'forward' | 'backward';
  count: number;
  /** The offset of `after` (forward) or `before` (backward), if given. */
  offset: number | null;
  cursorArgument: 'after' | 'before';
}

/**
 * Checks every argument of `Query.failedProvisionings` before any upstream
 * call, with the rules and messages of `Query.events` for paging.
 */
export function planFailedProvisioningsQuery(
  input: FailedProvisioningsQueryInput,
  options: { paging: { defaultPageSize: number; maxPageSize: number }; maxRangeDays: number },
): FailedProvisioningsQueryPlan {
  const paging = readPagingArguments(input, options.paging);
  const startMs = oneLoginInstant(input.startDate, 'startDate');
  const stopMs = oneLoginInstant(input.stopDate, 'stopDate');
  if (stopMs < startMs) {
    throw badUserInput(
      `\`stopDate\` (${input.stopDate.toISOString()}) must not be before \`startDate\` (${input.startDate.toISOString()}).`,
      'stopDate',
    );
  }
  if (stopMs - startMs > options.maxRangeDays * DAY_MS) {
    throw badUserInput(
      `The range from \`startDate\` to \`stopDate\` is longer than ${options.maxRangeDays} days, the most the gateway asks OneLogin for at once: split it into several ranges.`,
      'stopDate',
    );
  }
  const key = connectionKey({ failedProvisionings: [startMs, stopMs] });
  let offset: number | null = null;
  if (paging.cursor !== null) {
    const decoded = decodeFailedProvisioningCursor(key, paging.cursor);
    if (!decoded.ok) {
      const argument = paging.cursorArgument;
      throw badUserInput(
        decoded.reason === 'malformed'
          ? `\`${argument}\` is not a cursor of this connection: pass an edge \`cursor\`, \`startCursor\` or \`endCursor\` exactly as the gateway returned it.`
          : `\`${argument}\` is a cursor from a different \`startDate\` or \`stopDate\`: page with the same range the cursor came from, or start again without \`${argument}\`.`,
        argument,
      );
    }
    offset = decoded.offset;
  }
  return {
    startMs,
    stopMs,
    upstream: {
      startDate: wholeSeconds(Math.floor(startMs / 1000) * 1000 - 1000),
      stopDate: wholeSeconds(Math.ceil(stopMs / 1000) * 1000 + 1000),
    },
    key,
    mode: paging.mode,
    count: paging.count,
    offset,
    cursorArgument: paging.cursorArgument,
  };
}

/** `2015-01-21T17:20:15Z`: OneLogin's documented form, in UTC. */
function wholeSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
