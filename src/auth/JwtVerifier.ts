import type { JWTPayload } from 'jose';
import { errors as joseErrors, jwtVerify } from 'jose';

import { LruMap } from '../cache/LruMap';
import type { JwtAuthConfig } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';
import { AuthFailure } from './AuthFailure';
import type { Caller } from './Caller';
import { oneLoginUserId } from './Caller';
import { JwksKeySource } from './JwksKeySource';
import { scopesOfClaim } from './scopes';

const MAX_TOKEN_LENGTH = 8192;

interface Verified {
  caller: Caller;
  /** Epoch ms after which the token is refused (its `exp` plus the tolerance). */
  until: number;
  /** Epoch ms before which it is not valid yet (its `nbf` less the tolerance). */
  from: number;
}

/**
 * Verifies bearer JWTs (OIDC access tokens, e.g. OneLogin's own, issuer
 * `https://<subdomain>.onelogin.com/oidc/2`) with jose: signature against the
 * JWKS, an allow-list of asymmetric algorithms (never `none`, never HMAC, so a
 * public key can never be used as an HMAC secret), `iss`, `aud`, `exp` (required)
 * and `nbf` with a small clock tolerance. A verified token is remembered until
 * it expires, so a caller's later requests cost a map look-up, not a signature check.
 */
export class JwtVerifier {
  private readonly keys: JwksKeySource;
  private readonly verified = new LruMap<string, Verified>(10_000);
  private readonly now: () => number;

  constructor(
    private readonly config: JwtAuthConfig,
    options: { logger: Logger; clock?: () => number },
  ) {
    this.now = options.clock ?? Date.now;
    this.keys = new JwksKeySource({
      url: config.jwksURL,
      cacheMs: config.jwksCacheSeconds * 1000,
      cooldownMs: config.jwksCooldownSeconds * 1000,
      logger: options.logger,
      clock: this.now,
    });
  }

  /** Loads the keys ahead of the first request; a failure is logged and retried on use. */
  async warmUp(): Promise<void> {
    await this.keys.refresh().catch(() => undefined);
  }

  async verify(token: string): Promise<Caller> {
    const now = this.now();
    const known = this.verified.get(token);
    if (known) {
      if (now < known.until && now >= known.from) return known.caller;
      this.verified.delete(token);
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw invalid(`The bearer token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        currentDate: new Date(now),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw this.failure(error);
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject === '') {
      throw invalid('The token has no `sub` claim: the gateway cannot tell who is calling.');
    }
    const tolerance = this.config.clockToleranceSeconds * 1000;
    const until = (payload.exp as number) * 1000 + tolerance;
    const caller: Caller = {
      kind: 'jwt',
      id: `jwt:${subject}`,
      name: subject.length > 128 ? `${subject.slice(0, 128)}…` : subject,
      userId: oneLoginUserId(payload[this.config.userIdClaim]),
      scopes: scopesOfClaim(payload[this.config.scopesClaim]),
      expiresAt: until,
    };
    this.verified.set(token, {
      caller,
      until,
      from: typeof payload.nbf === 'number' ? payload.nbf * 1000 - tolerance : 0,
    });
    return caller;
  }

  /** What to tell the caller about a token jose refused; never the token itself. */
  private failure(error: unknown): AuthFailure {
    if (error instanceof AuthFailure) return error;
    if (error instanceof joseErrors.JWTExpired) {
      const exp = (error.payload as JWTPayload).exp;
      return invalid(
        `The token expired${typeof exp === 'number' ? ` at ${new Date(exp * 1000).toISOString()}` : ''}: get a new one.`,
      );
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      switch (error.claim) {
        case 'iss':
          return invalid(
            `The token was not issued by ${this.config.issuer}, the issuer this gateway trusts.`,
          );
        case 'aud':
          return invalid(
            `The token is not meant for this gateway: its audience (aud) must be ${this.config.audience.join(' or ')}.`,
          );
        case 'nbf':
          return invalid('The token is not valid yet (nbf is in the future).');
        case 'exp':
          return invalid(
            'The token has no valid `exp` claim: the gateway only accepts tokens that expire.',
          );
        default:
          return invalid(`The token's \`${error.claim}\` claim is invalid.`);
      }
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) {
      return invalid(
        `The token is signed with an algorithm this gateway does not accept; it accepts ${this.config.algorithms.join(', ')}.`,
      );
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      return invalid(
        "The token is signed with a key the identity provider's key set (JWKS) does not hold (unknown kid): get a new token.",
      );
    }
    if (error instanceof joseErrors.JWKSMultipleMatchingKeys) {
      return invalid('The token names no `kid` and several keys of the JWKS could have signed it.');
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return invalid('The token signature does not verify.');
    }
    return invalid('The bearer token is not a valid signed JWT.');
  }
}

function invalid(message: string): AuthFailure {
  return new AuthFailure(message, undefined, 'invalid_token');
}
