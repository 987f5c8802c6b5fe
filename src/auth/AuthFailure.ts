import { ErrorCode } from '../errors/ErrorCode';

/**
 * Why a request's credentials were not accepted, as the HTTP layer answers it:
 * 401 `UNAUTHENTICATED` (with `WWW-Authenticate: Bearer`) or 503
 * `AUTH_UNAVAILABLE` when the keys to check a token cannot be fetched. The
 * message says what is wrong and never repeats the credential.
 */
export class AuthFailure extends Error {
  override name = 'AuthFailure';

  constructor(
    message: string,
    readonly code:
      ErrorCode.UNAUTHENTICATED | ErrorCode.AUTH_UNAVAILABLE = ErrorCode.UNAUTHENTICATED,
    /** RFC 6750's `error`: `invalid_request` (malformed) or `invalid_token`; none when no credential was sent. */
    readonly bearerError?: 'invalid_request' | 'invalid_token',
  ) {
    super(message);
  }

  get status(): 401 | 503 {
    return this.code === ErrorCode.AUTH_UNAVAILABLE ? 503 : 401;
  }

  /** The `WWW-Authenticate` challenge (RFC 6750 §3), for 401s. */
  challenge(realm: string): string {
    const parts = [`realm="${realm}"`];
    if (this.bearerError) {
      parts.push(`error="${this.bearerError}"`);
      // RFC 6750 allows only %x20-21 / %x23-5B / %x5D-7E in error_description.
      parts.push(
        `error_description="${this.message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`,
      );
    }
    return `Bearer ${parts.join(', ')}`;
  }
}
