import { badUserInput } from '../errors/errors';

/** The Relay paging arguments of a connection field. */
export interface PagingArgumentsInput {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Which way a page goes, how many items it holds, and the cursor it starts from. */
export interface PagingArguments {
  mode: 'forward' | 'backward';
  count: number;
  /** The argument the cursor came in, for messages. */
  cursorArgument: 'after' | 'before';
  /** `after` (forward) or `before` (backward), still encoded; null when not given. */
  cursor: string | null;
}

/**
 * Checks `first`/`after`/`last`/`before` for every connection (`Query.events`,
 * `User.events`, `failedProvisionings`: same rules, same messages), before any
 * upstream call: `first` goes with `after`,
 * `last` with `before`, and the count is from 0 to the maximum page size.
 */
export function readPagingArguments(
  input: PagingArgumentsInput,
  paging: { defaultPageSize: number; maxPageSize: number },
): PagingArguments {
  const { first, last, after, before } = input;
  if (first != null && last != null) {
    throw badUserInput(
      'Pass either `first` (page forwards) or `last` (page backwards), not both.',
      'first',
    );
  }
  if (first != null && before != null) {
    throw badUserInput(
      '`before` goes with `last`: page forwards with `first` and `after`, backwards with `last` and `before`.',
      'before',
    );
  }
  if (last != null && after != null) {
    throw badUserInput(
      '`after` goes with `first`: page forwards with `first` and `after`, backwards with `last` and `before`.',
      'after',
    );
  }
  if (after != null && before != null) {
    throw badUserInput('Pass either `after` or `before`, not both.', 'before');
  }
  const mode = last != null || before != null ? 'backward' : 'forward';
  const countArgument = mode === 'forward' ? 'first' : 'last';
  const count = (mode === 'forward' ? first : last) ?? paging.defaultPageSize;
  if (!Number.isInteger(count) || count < 0 || count > paging.maxPageSize) {
    throw badUserInput(
      `\`${countArgument}\` must be a whole number from 0 to ${paging.maxPageSize} (got ${count}).`,
      countArgument,
    );
  }
  return {
    mode,
    count,
    cursorArgument: mode === 'forward' ? 'after' : 'before',
    cursor: (mode === 'forward' ? after : before) ?? null,
  };
}
