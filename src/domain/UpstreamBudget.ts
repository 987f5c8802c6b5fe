import { GraphQLError } from 'graphql';

import { ErrorCode } from '../errors/ErrorCode';
import type { TraceParent } from '../observability/tracing';
import type { CallAccount } from '../upstream/HttpTransport';

/** Which upstream a call goes to: OneLogin's /api/1 (the account's hourly budget) or the legacy API. */
export type UpstreamName = 'onelogin' | 'legacy';

/**
 * Decides, before a OneLogin call, whether the account as a whole may make it
 * (see limits/AccountBudget): throws while the cluster is cooling down after the
 * account's budget ran out, or when the call is bulk work below the reserve.
 */
export interface AccountGate {
  admit(work: { bulk: boolean }): void;
}

export interface UpstreamBudgetOptions {
  /** The most calls this request may make (UPSTREAM_CALLS_PER_REQUEST_MAX). */
  max: number;
  /** The caller's hourly share (see limits/CallerRateLimits): throws RATE_LIMITED when it is spent. */
  quota?: { consume(): Promise<void> };
  /** The account's shared budget (see limits/AccountBudget). */
  account?: AccountGate;
  /** How long the request's upstream work may take in all, ms. Default: no deadline. */
  deadlineMs?: number;
  /**
   * A request whose estimated or actual calls exceed this is bulk work (walks,
   * fan-outs): refused first when the account's budget is low. Default 3.
   */
  interactiveCalls?: number;
  /** Told the code of each refusal (metrics); the refusal is thrown all the same. */
  onRefused?: (code: string) => void;
  /** The request's server span: its calls and cache look-ups are traced as its children. */
  trace?: TraceParent;
}

/**
 * What one GraphQL request may spend upstream, and by when. The account's
 * budget (5,000 calls an hour, shared by every client of the account) must not
 * be spendable by a single request: twenty aliased 500-event pages, or an
 * `_entities` batch of hundreds of events nobody has seen, would each cost
 * hundreds of calls. Every data-source method takes the request's budget (there
 * is no unlimited default); a call shared with other requests (a catalogue load,
 * a range fetch) is charged to the request that started it. Token requests are
 * not counted. `spend()` is the gate every call (and every retry) passes:
 * - the request's own maximum (UPSTREAM_BUDGET_EXCEEDED);
 * - its deadline, which bounds all of its upstream work, nested chains included (UPSTREAM_TIMEOUT);
 * - the account's cooldown and reserve (UPSTREAM_RATE_LIMITED, UPSTREAM_BUDGET_LOW);
 * - the caller's hourly share (RATE_LIMITED).
 */
export class UpstreamBudget implements CallAccount {
  private spent = 0;
  /** `performance.now()` by which every call of this request must be done. */
  readonly deadline: number;
  /** The calls the operation can make, as estimated before execution (see server/operationCost). */
  estimate: number | undefined;
  private readonly interactiveCalls: number;

  constructor(private readonly options: UpstreamBudgetOptions) {
    this.deadline =
      options.deadlineMs === undefined ? Infinity : performance.now() + options.deadlineMs;
    this.interactiveCalls = options.interactiveCalls ?? 3;
  }

  get trace(): TraceParent | undefined {
    return this.options.trace;
  }

  get max(): number {
    return this.options.max;
  }

  /** How many calls were charged so far. */
  get count(): number {
    return this.spent;
  }

  /** Bulk work: more calls than a single page or look-up needs, by estimate or by count. */
  get bulk(): boolean {
    return (this.estimate ?? 0) > this.interactiveCalls || this.spent >= this.interactiveCalls;
  }

  /** This budget as the account of legacy-API calls (their retries are charged as legacy calls). */
  get legacy(): CallAccount {
    return {
      spend: () => this.spend('legacy'),
      deadline: this.deadline,
      trace: this.options.trace,
    };
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number {
    return this.deadline - performance.now();
  }

  /** Counts one call to `upstream` (default OneLogin's /api/1), or throws why it may not be made. */
  async spend(upstream: UpstreamName = 'onelogin'): Promise<void> {
    if (!this.options.onRefused) return this.charge(upstream);
    try {
      await this.charge(upstream);
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
      this.options.onRefused(typeof code === 'string' ? code : 'other');
      throw error;
    }
  }

  /** Reports a refusal made for this budget elsewhere (the cost estimate's) and returns it, to throw. */
  refused(error: GraphQLError): GraphQLError {
    const code = error.extensions['code'];
    this.options.onRefused?.(typeof code === 'string' ? code : 'other');
    return error;
  }

  private async charge(upstream: UpstreamName): Promise<void> {
    if (this.spent >= this.options.max) {
      throw new GraphQLError(
        `This request needs more than ${this.options.max} calls to OneLogin, the most one request may make ` +
          "(the account's 5,000 calls an hour are shared): ask for fewer or smaller pages, or fewer entities.",
        { extensions: { code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED } },
      );
    }
    if (this.remainingMs() <= 0) {
      throw new GraphQLError(
        `This request ran out of time (${Math.round((this.options.deadlineMs ?? 0) / 1000)} s for all of its ` +
          'OneLogin calls) before it could make another: ask for less at once, e.g. smaller pages or fewer nested fields.',
        { extensions: { code: ErrorCode.UPSTREAM_TIMEOUT, deadline: true } },
      );
    }
    if (upstream === 'onelogin') this.options.account?.admit({ bulk: this.bulk });
    this.spent += 1;
    await this.options.quota?.consume();
  }
}
