import type { IncomingHttpHeaders } from 'node:http';

import type { AuthConfig } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';
import { ApiKeyStore } from './ApiKeyStore';
import { AuthFailure } from './AuthFailure';
import type { Caller } from './Caller';
import { trustedAnonymous } from './Caller';
import { JwtVerifier } from './JwtVerifier';

/** Three base64url segments: a JWS in compact form. API keys never contain a dot. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Tells who a request comes from, by AUTH_MODE: a bearer JWT, an API key
 * (`Authorization: Bearer <key>` or `x-api-key`), or nobody. A request that
 * presents a credential the gateway can check must present a valid one, even
 * where anonymous callers are trusted (demo mode: a bad token is a mistake to
 * report, not to ignore); with no method configured, credentials are not read.
 */
export class Authenticator {
  private readonly jwt: JwtVerifier | undefined;
  private readonly apiKeys: ApiKeyStore | undefined;

  constructor(
    private readonly config: AuthConfig,
    options: { logger: Logger; clock?: () => number },
  ) {
    this.jwt =
      config.methods.includes('jwt') && config.jwt
        ? new JwtVerifier(config.jwt, options)
        : undefined;
    this.apiKeys =
      config.methods.includes('api-key') && config.apiKeysFile
        ? new ApiKeyStore(config.apiKeysFile, options.logger)
        : undefined;
  }

  /** What the start-up log says about authentication. */
  describe(): { methods: string[]; anonymous: AuthConfig['anonymous']; apiKeys?: number } {
    return {
      methods: this.config.methods,
      anonymous: this.config.anonymous,
      ...(this.apiKeys ? { apiKeys: this.apiKeys.size } : {}),
    };
  }

  async warmUp(): Promise<void> {
    await this.jwt?.warmUp();
  }

  /** The caller, or throws AuthFailure (401, or 503 when the JWKS cannot be had). */
  async authenticate(headers: IncomingHttpHeaders, address: string | undefined): Promise<Caller> {
    // AUTH_MODE=none (or development without auth settings): nothing is checked, and a
    // credential a router forwards is not a mistake.
    if (this.config.methods.length === 0) return trustedAnonymous(address);
    const apiKeyHeader = headers['x-api-key'];
    const authorization = headers.authorization;
    if (apiKeyHeader !== undefined) {
      if (authorization !== undefined) {
        throw new AuthFailure(
          'Send one credential: Authorization or x-api-key, not both.',
          undefined,
          'invalid_request',
        );
      }
      return this.apiKey(Array.isArray(apiKeyHeader) ? '' : apiKeyHeader.trim());
    }
    if (authorization === undefined) {
      if (this.config.anonymous === 'trusted') return trustedAnonymous(address);
      throw new AuthFailure(
        `This gateway needs credentials: send \`Authorization: Bearer <${this.expected()}>\`${this.apiKeys ? ' or `x-api-key: <key>`' : ''}.`,
      );
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) {
      throw new AuthFailure(
        `The Authorization header must be \`Bearer <${this.expected()}>\`.`,
        undefined,
        'invalid_request',
      );
    }
    const token = match[1] as string;
    if (COMPACT_JWS.test(token)) {
      if (this.jwt) return this.jwt.verify(token);
      if (!this.apiKeys) throw this.notAccepted('JWTs');
    }
    if (!this.apiKeys) {
      throw new AuthFailure('The bearer token is not a signed JWT.', undefined, 'invalid_token');
    }
    return this.apiKey(token);
  }

  close(): void {
    this.apiKeys?.close();
  }

  private apiKey(key: string): Caller {
    if (!this.apiKeys) throw this.notAccepted('API keys');
    const caller = key === '' ? undefined : this.apiKeys.find(key);
    if (!caller) {
      throw new AuthFailure(
        'The API key is not valid (unknown or revoked).',
        undefined,
        'invalid_token',
      );
    }
    return caller;
  }

  private expected(): string {
    if (this.jwt && this.apiKeys) return 'access token or API key';
    return this.apiKeys ? 'API key' : 'access token';
  }

  private notAccepted(what: string): AuthFailure {
    return new AuthFailure(
      `This gateway does not accept ${what}: send ${this.expected() === 'API key' ? 'an API key' : 'an access token'}.`,
      undefined,
      'invalid_token',
    );
  }
}
