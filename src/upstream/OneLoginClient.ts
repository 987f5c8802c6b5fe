import type { Logger } from '../logging/createLogger';
import type { CallAccount, HttpResponse, HttpTransport } from './HttpTransport';
import {
  headerValue,
  queryString,
  retryAfterHeader,
  SHORT_RETRY_AFTER_SECONDS,
  UpstreamFailureError,
} from './HttpTransport';
import { parseErrorBody } from './parseErrorBody';
import type { TokenProvider } from './TokenProvider';
import { upstreamError } from './upstreamError';

export interface OneLoginClientOptions {
  transport: HttpTransport;
  tokens: TokenProvider;
  logger: Logger;
  /**
   * Told of every budget OneLogin reports, and of a 429 for the spent budget
   * (see limits/AccountBudget, the cluster's shared view).
   */
  account?: {
    observe(limit: number, remaining: number, resetSeconds: number): void;
    exhausted(retryAfterSeconds: number): void;
  };
}

/** The account's rate-limit budget as the last response reported it (API.md §7.2). */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Seconds until the budget is reset, as of `observedAt`. */
  resetSeconds: number;
  observedAt: number;
}

/** How long the cluster waits after a rate-limit answer that does not say when the budget resets. */
const UNKNOWN_RESET_SECONDS = 60;

/** A successful (2xx) or "not found" (404) answer; every other status is thrown. */
export interface OneLoginAnswer {
  status: number;
  body: unknown;
}

/**
 * Authenticated GETs against OneLogin's /1 API. Knows tokens, rate-limit
 * headers and error envelopes; knows nothing about GraphQL types.
 *
 * - Identical concurrent GETs share one upstream request (the URL is the key;
 *   the token is not part of it, since every caller uses the same account).
 * - A 401 invalidates the token, fetches a new one and retries once.
 * - Failures leave as GraphQL errors built by `upstreamError`.
 */
export class OneLoginClient {
  private readonly inFlight = new Map<string, Promise<OneLoginAnswer>>();
  private rateLimit: RateLimitSnapshot | undefined;

  constructor(private readonly options: OneLoginClientOptions) {}

  /**
   * GET `path` with `query`; `route` names the endpoint in logs and errors.
   * `account` (the request's budget) is charged before every call after the
   * first (retries, a second try with a new token), so that the caller's budgets
   * count every call made, and bounds the attempts by its deadline; an identical
   * GET already in flight is shared, and charged to whoever started it.
   */
  get(
    route: string,
    path: string,
    query: Readonly<Record<string, string | undefined>> = {},
    account?: CallAccount,
  ): Promise<OneLoginAnswer> {
    const key = path + queryString(query);
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const call = this.authorizedGet(route, path, query, account).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, call);
    return call;
  }

  private async authorizedGet(
    route: string,
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    account: CallAccount | undefined,
  ): Promise<OneLoginAnswer> {
    try {
      const token = await this.options.tokens.getToken(account?.trace);
      try {
        return await this.send(route, path, query, token, account);
      } catch (error) {
        if (!(error instanceof UpstreamFailureError) || !isStatus(error, 401)) throw error;
        // The token expired early or was revoked: one new token, one more try.
        this.options.tokens.invalidate(token);
        const fresh = await this.options.tokens.getToken(account?.trace);
        await account?.spend();
        return await this.send(route, path, query, fresh, account);
      }
    } catch (error) {
      if (error instanceof UpstreamFailureError) {
        throw upstreamError('onelogin', error.failure);
      }
      throw error;
    }
  }

  private send(
    route: string,
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    token: string,
    account: CallAccount | undefined,
  ): Promise<OneLoginAnswer> {
    return this.options.transport.request(
      {
        method: 'GET',
        path,
        query,
        route,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        idempotent: true,
        ...(account ? { account } : {}),
      },
      (response) => this.interpret(route, response),
    );
  }

  private interpret(route: string, response: HttpResponse): OneLoginAnswer {
    this.recordRateLimit(response);
    const { status } = response;
    if ((status >= 200 && status < 300) || status === 404) {
      let body: unknown;
      try {
        body = response.body === '' ? null : JSON.parse(response.body);
      } catch {
        // Truncated or non-JSON: a glitch worth one more try.
        throw new UpstreamFailureError({ kind: 'bad-response', status }, true);
      }
      return { status, body };
    }
    const parsed = parseErrorBody(response.body);
    this.options.logger.warn(
      { route, status, upstreamMessage: parsed.message },
      'OneLogin answered with an error',
    );
    if (status === 429 || parsed.rateLimited) {
      // A short Retry-After is a burst (waited out once in HttpTransport); a long one,
      // or none, is the spent hourly budget: the whole cluster stops until the reset
      // (a minute, then one probe, when OneLogin does not say when that is).
      const retryAfterSeconds = this.retryAfterSeconds(response) ?? UNKNOWN_RESET_SECONDS;
      if (retryAfterSeconds > SHORT_RETRY_AFTER_SECONDS) {
        this.options.account?.exhausted(retryAfterSeconds);
      }
      throw new UpstreamFailureError(
        { kind: 'status', status, rateLimited: true, retryAfterSeconds },
        false,
      );
    }
    throw new UpstreamFailureError({ kind: 'status', status, rateLimited: false }, false);
  }

  private recordRateLimit(response: HttpResponse): void {
    const limit = Number(headerValue(response, 'x-ratelimit-limit'));
    const remaining = Number(headerValue(response, 'x-ratelimit-remaining'));
    const resetSeconds = Number(headerValue(response, 'x-ratelimit-reset'));
    if (!Number.isFinite(limit) || !Number.isFinite(remaining)) return;
    this.rateLimit = {
      limit,
      remaining,
      resetSeconds: Number.isFinite(resetSeconds) ? resetSeconds : 0,
      observedAt: Date.now(),
    };
    this.options.account?.observe(limit, remaining, this.rateLimit.resetSeconds);
    if (remaining > 0 && remaining <= limit * 0.05 && remaining % 10 === 0) {
      this.options.logger.warn(
        { remaining, limit },
        "OneLogin's hourly rate-limit budget is nearly spent",
      );
    }
  }

  private retryAfterSeconds(response: HttpResponse): number | undefined {
    const retryAfter = retryAfterHeader(response);
    if (retryAfter !== undefined) return retryAfter;
    // X-RateLimit-Reset is seconds left in the window, not an epoch (API.md §7.2).
    const reset = Number(headerValue(response, 'x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset >= 0) return reset;
    // The 400 `rate_limit_exceeded` variant may carry neither header: the last
    // budget OneLogin reported still says when the window ends.
    const last = this.rateLimit;
    if (!last) return undefined;
    return Math.max(0, Math.ceil(last.resetSeconds - (Date.now() - last.observedAt) / 1000));
  }
}

function isStatus(error: UpstreamFailureError, status: number): boolean {
  return error.failure.kind === 'status' && error.failure.status === status;
}
