import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  accessToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface TokenStore {
  /**
   * The live token, or a new one when there is none: "this request will return the same token
   * set until the token expires or is revoked" (D-TOK2).
   */
  issue(): IssuedToken;
  /** Whether `accessToken` is known, unexpired and unrevoked. */
  isValid(accessToken: string): boolean;
  revoke(accessToken: string): void;
  expireAll(): void;
  revokeAll(): void;
  /** How many distinct tokens were minted. */
  issued(): number;
}

export function createTokenStore(lifetimeSeconds: number, clock: () => number): TokenStore {
  const tokens = new Map<string, IssuedToken & { revoked: boolean }>();
  let current: (IssuedToken & { revoked: boolean }) | null = null;
  const live = (token: IssuedToken & { revoked: boolean }): boolean =>
    !token.revoked && clock() < token.expiresAt;

  return {
    issue() {
      if (current && live(current)) return current;
      const createdAt = clock();
      current = {
        // 64 hex characters: the documented samples are 58-64 character hex-like strings.
        accessToken: randomBytes(32).toString('hex'),
        createdAt,
        expiresAt: createdAt + lifetimeSeconds * 1000,
        revoked: false,
      };
      tokens.set(current.accessToken, current);
      return current;
    },
    isValid(accessToken) {
      const token = tokens.get(accessToken);
      return token !== undefined && live(token);
    },
    revoke(accessToken) {
      const token = tokens.get(accessToken);
      if (token) token.revoked = true;
    },
    expireAll() {
      const now = clock();
      for (const token of tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
    },
    revokeAll() {
      for (const token of tokens.values()) token.revoked = true;
    },
    issued: () => tokens.size,
  };
}
