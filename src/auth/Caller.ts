import { MAX_ONELOGIN_INTEGER } from '../domain/oneLoginId';
import type { Scope } from './scopes';
import { ALL_SCOPES } from './scopes';

/**
 * Who is asking: made once per request by the Authenticator and carried in the
 * request's context to the data sources, where every read is authorised.
 * Nothing here is a secret: the token or key that proved it is not kept.
 */
export interface Caller {
  kind: 'anonymous' | 'jwt' | 'api-key';
  /** A stable key for rate limits (`jwt:<sub>`, `api-key:<name>`, `anonymous:<address>`). */
  id: string;
  /** For logs: the key's name, the token's subject, or `anonymous`. */
  name: string;
  /** The caller's OneLogin user id, when its credential names one (a positive whole number). */
  userId: string | undefined;
  scopes: ReadonlySet<Scope>;
  /**
   * Epoch ms from which the credential is refused (a JWT's `exp` plus the clock
   * tolerance); absent for credentials that do not expire. A long-lived
   * connection (a subscription) is closed then.
   */
  expiresAt?: number;
  /** Per-caller overrides of the default limits (an API key's entry). */
  limits?: { requestsPerMinute?: number; upstreamCallsPerHour?: number };
}

/** A caller without credentials where they are not required: every scope. */
export function trustedAnonymous(address: string | undefined): Caller {
  return {
    kind: 'anonymous',
    id: `anonymous:${address ?? 'unknown'}`,
    name: 'anonymous',
    userId: undefined,
    scopes: new Set(ALL_SCOPES),
  };
}

/** A OneLogin user id as credentials carry it (a string or a number), or undefined. */
export function oneLoginUserId(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[1-9]\d{0,9}$/.test(text)) return undefined;
  return Number(text) <= MAX_ONELOGIN_INTEGER ? text : undefined;
}
