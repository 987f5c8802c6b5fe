import { GraphQLError } from 'graphql';

import { ErrorCode } from '../errors/ErrorCode';

/**
 * How many OneLogin calls one GraphQL request may make. The account's budget
 * (5,000 calls an hour, shared by every client of the account) must not be
 * spendable by a single request: twenty aliased 500-event pages, or an
 * `_entities` batch of hundreds of events nobody has seen, would each cost
 * hundreds of calls. Every data-source method takes the request's budget (there
 * is no unlimited default); a call shared with other requests (a catalogue load,
 * a range fetch) is charged to the request that started it. Token requests are
 * not counted. Each call is also charged to the caller's hourly share (`quota`,
 * see limits/CallerRateLimits), which throws RATE_LIMITED when it is spent.
 */
export class UpstreamBudget {
  private spent = 0;

  constructor(
    readonly max: number,
    private readonly quota?: { consume(): Promise<void> },
  ) {}

  /** How many calls were charged so far. */
  get count(): number {
    return this.spent;
  }

  /**
   * Counts one call: throws UPSTREAM_BUDGET_EXCEEDED when the request has none
   * left, RATE_LIMITED when the caller has none left this hour.
   */
  async spend(): Promise<void> {
    if (this.spent >= this.max) {
      throw new GraphQLError(
        `This request needs more than ${this.max} calls to OneLogin, the most one request may make ` +
          "(the account's 5,000 calls an hour are shared): ask for fewer or smaller pages, or fewer entities.",
        { extensions: { code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED } },
      );
    }
    this.spent += 1;
    await this.quota?.consume();
  }
}
