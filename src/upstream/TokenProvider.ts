import type { Logger } from '../logging/createLogger';
import type { TraceParent } from '../observability/tracing';
import type { HttpResponse, HttpTransport } from './HttpTransport';
import { UpstreamFailureError } from './HttpTransport';
import { parseErrorBody } from './parseErrorBody';
import type { UpstreamFailure } from './upstreamError';

export interface TokenProviderOptions {
  transport: HttpTransport;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Epoch ms; injectable so tests can move through backoff windows without sleeping. */
  now?: () => number;
  /** Told how each token request ended (metrics). */
  onRequest?: (outcome: 'ok' | 'failed') => void;
}

/** First backoff window after a failed token request. */
export const TOKEN_BACKOFF_INITIAL_MS = 1000;
/** Longest window after failures that point at the credential or the request (any status, an unreadable answer). */
export const TOKEN_BACKOFF_MAX_MS = 60_000;
/** Longest window after transient failures (network, timeout, 502/503/504), so recovery is noticed quickly. */
export const TOKEN_BACKOFF_TRANSIENT_MAX_MS = 10_000;

/**
 * Statuses that mean OneLogin (or a proxy in front of it) is briefly away: the
 * transport retries them within one token request. 500 is not one of them: on
 * the token endpoint it means the credential is dead (API.md §2.1), and asking
 * again only adds load.
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Consecutive failed token requests, since the last success. */
interface Backoff {
  failures: number;
  /** Epoch ms when the window opened; a clock set back before it ends the window. */
  openedAt: number;
  /** Epoch ms before which no token request is made. */
  retryAt: number;
  /** What the last request failed with; repeated to callers inside the window. */
  failure: UpstreamFailure;
  /** Whether this episode's error-level line was written. */
  reported: boolean;
}

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is no longer used. */
  refreshAt: number;
}

/**
 * OAuth2 client-credentials tokens for the /1 API (API.md §2.1), via the v2
 * endpoint, which returns the same token to every caller with the same
 * credentials until it expires: replicas never invalidate each other's tokens.
 *
 * The token is kept in process memory only (never in a shared cache: it is a
 * secret), used until shortly before it expires, and at most one token request
 * is in flight at a time.
 *
 * A failed token request opens a backoff window: until it ends, `getToken`
 * fails at once with the same failure, without calling OneLogin. Windows grow
 * 1 s, 2 s, 4 s, … per consecutive failure, up to 60 s (10 s while the
 * failures are transient: network, timeout, 502/503/504), without jitter: one
 * process makes at most one token request per window, which is too few for
 * replicas to stampede in step. The first success ends the episode. A 500 is
 * reported as a credential fault (UPSTREAM_AUTH_FAILED) and, like 400 and 401,
 * written once per episode at error level with the likely cause.
 */
export class TokenProvider {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private backoff: Backoff | undefined;
  private readonly now: () => number;
  private readonly authorization: string;

  constructor(private readonly options: TokenProviderOptions) {
    this.now = options.now ?? Date.now;
    // HTTP Basic (RFC 6749 §2.3.1): the v2 endpoint accepts it, as OneLogin's own
    // Go and .NET SDKs and OpenAPI description use it.
    this.authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  }

  /**
   * A valid access token, requesting one when there is none or it is about to
   * expire. Inside a backoff window it rejects at once with the last failure.
   * `trace` is the asking request's: a token request it starts is traced as
   * part of it (not charged to it: every caller uses the same account's token).
   */
  getToken(trace?: TraceParent): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt)
      return Promise.resolve(this.cached.value);
    if (this.inFlight) return this.inFlight;
    const backoff = this.backoff;
    const now = this.now();
    if (backoff && now >= backoff.openedAt && now < backoff.retryAt) {
      return Promise.reject(new UpstreamFailureError(backoff.failure, false));
    }
    this.inFlight = this.requestToken(trace).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Forget `token` after OneLogin refused it (401), so the next `getToken`
   * requests a new one. A token that was already replaced is left alone.
   */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async requestToken(trace: TraceParent | undefined): Promise<string> {
    const requestedAt = this.now();
    let token: { accessToken: string; expiresInSeconds: number };
    try {
      token = await this.options.transport.request(
        {
          method: 'POST',
          path: '/auth/oauth2/v2/token',
          route: 'POST /auth/oauth2/v2/token',
          headers: { authorization: this.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials' }),
          idempotent: true,
          retryStatuses: TRANSIENT_STATUSES,
          trace,
        },
        (response) => parseTokenResponse(response),
      );
    } catch (error) {
      this.options.onRequest?.('failed');
      if (error instanceof UpstreamFailureError) this.recordFailure(error.failure);
      throw error;
    }
    this.options.onRequest?.('ok');
    if (this.backoff) {
      this.options.logger.info(
        { failures: this.backoff.failures },
        'OneLogin issued an access token again; token backoff reset',
      );
      this.backoff = undefined;
    }
    // Expiry counts from when we asked, so clock skew between us and OneLogin
    // (whose `created_at` is its own clock) cannot make us keep a stale token.
    const lifetimeMs = token.expiresInSeconds * 1000;
    const marginMs = Math.min(5 * 60_000, lifetimeMs * 0.1);
    this.cached = { value: token.accessToken, refreshAt: requestedAt + lifetimeMs - marginMs };
    this.options.logger.info(
      { expiresInSeconds: token.expiresInSeconds },
      'obtained a OneLogin access token',
    );
    return token.accessToken;
  }

  /** Opens (or widens) the backoff window and tells the operator, once per episode. */
  private recordFailure(failure: UpstreamFailure): void {
    const failures = (this.backoff?.failures ?? 0) + 1;
    const maxMs = isTransient(failure) ? TOKEN_BACKOFF_TRANSIENT_MAX_MS : TOKEN_BACKOFF_MAX_MS;
    const backoffMs = Math.min(maxMs, TOKEN_BACKOFF_INITIAL_MS * 2 ** (failures - 1));
    const cause = credentialCause(failure);
    const reported = this.backoff?.reported ?? false;
    const now = this.now();
    this.backoff = {
      failures,
      openedAt: now,
      retryAt: now + backoffMs,
      failure,
      reported: reported || cause !== undefined,
    };
    // Never the secret or the Authorization header: the client id names the
    // credential (it is not a secret, RFC 6749 §2.2), the status says what happened.
    const fields = {
      route: 'POST /auth/oauth2/v2/token',
      status: 'status' in failure ? failure.status : null,
      failure: failure.kind,
      clientId: this.options.clientId,
      failures,
      backoffMs,
    };
    if (cause !== undefined && !reported) {
      this.options.logger.error({ ...fields, cause }, `OneLogin will not issue a token: ${cause}`);
    } else {
      this.options.logger.warn(
        fields,
        'OneLogin token request failed; no new token request until the backoff ends',
      );
    }
  }
}

const NEW_CREDENTIAL =
  "create a new API credential in OneLogin's admin (Developers > API Credentials) and set ONELOGIN_CLIENT_ID/ONELOGIN_CLIENT_SECRET";

/** The likely cause of a failure that points at the API credential, for the operator; undefined for other failures. */
/** What a token failure says about the credential, for operators; undefined when it says nothing. */
export function credentialCause(failure: UpstreamFailure): string | undefined {
  if (failure.kind === 'credential-fault') {
    return `the token endpoint answered HTTP ${failure.status}, which OneLogin sends when the user who created the API credential was deleted or the credential was revoked: ${NEW_CREDENTIAL}`;
  }
  if (
    failure.kind === 'status' &&
    !failure.rateLimited &&
    (failure.status === 400 || failure.status === 401)
  ) {
    return `the token endpoint answered HTTP ${failure.status}: ONELOGIN_CLIENT_ID/ONELOGIN_CLIENT_SECRET are wrong, or the API credential was deleted; check them, or ${NEW_CREDENTIAL}`;
  }
  return undefined;
}

function isTransient(failure: UpstreamFailure): boolean {
  return (
    failure.kind === 'network' ||
    failure.kind === 'timeout' ||
    (failure.kind === 'status' && TRANSIENT_STATUSES.has(failure.status))
  );
}

function parseTokenResponse(response: HttpResponse): {
  accessToken: string;
  expiresInSeconds: number;
} {
  if (response.status === 500) {
    // "if you delete a user, any credentials they created will fail to work and
    // return an HTTP 500 error" (API.md §2.1): a dead credential, not an outage.
    throw new UpstreamFailureError({ kind: 'credential-fault', status: 500 }, false);
  }
  if (response.status >= 400) {
    // 400 (bad grant or header) and 401 (bad credentials) both mean the
    // gateway's credentials or request are wrong: no retry helps.
    const { rateLimited } = parseErrorBody(response.body);
    throw new UpstreamFailureError(
      {
        kind: 'status',
        status: response.status,
        rateLimited: rateLimited || response.status === 429,
      },
      false,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new UpstreamFailureError({ kind: 'bad-response', status: response.status }, true);
  }
  // The v2 endpoint answers a bare token object; the old endpoint wraps it in
  // {status, data: [token]} (API.md §2.2). Both are accepted.
  const record = body as Record<string, unknown> | null;
  const data = record?.['data'];
  const token = (Array.isArray(data) ? data[0] : record) as Record<string, unknown> | undefined;
  const accessToken = token?.['access_token'];
  const expiresIn = Number(token?.['expires_in']);
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    !Number.isFinite(expiresIn) ||
    expiresIn <= 0
  ) {
    throw new UpstreamFailureError({ kind: 'bad-response', status: response.status }, true);
  }
  return { accessToken, expiresInSeconds: expiresIn };
}
