import type { Logger } from '../logging/createLogger';
import type { HttpResponse, HttpTransport } from './HttpTransport';
import { UpstreamFailureError } from './HttpTransport';

export interface TokenProviderOptions {
  transport: HttpTransport;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  now?: () => number;
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
 */
export class TokenProvider {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly now: () => number;
  private readonly authorization: string;

  constructor(private readonly options: TokenProviderOptions) {
    this.now = options.now ?? Date.now;
    // HTTP Basic (RFC 6749 §2.3.1): the v2 endpoint accepts it, as OneLogin's own
    // Go and .NET SDKs and OpenAPI description use it.
    this.authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  }

  /** A valid access token, requesting one when there is none or it is about to expire. */
  getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt)
      return Promise.resolve(this.cached.value);
    this.inFlight ??= this.requestToken().finally(() => {
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

  private async requestToken(): Promise<string> {
    const requestedAt = this.now();
    const token = await this.options.transport.request(
      {
        method: 'POST',
        path: '/auth/oauth2/v2/token',
        route: 'POST /auth/oauth2/v2/token',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
        idempotent: true,
      },
      (response) => parseTokenResponse(response),
    );
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
}

function parseTokenResponse(response: HttpResponse): {
  accessToken: string;
  expiresInSeconds: number;
} {
  if (response.status >= 400) {
    // 400 (bad grant or header) and 401 (bad credentials) both mean the
    // gateway's credentials or request are wrong: no retry helps.
    throw new UpstreamFailureError(
      { kind: 'status', status: response.status, rateLimited: false },
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
