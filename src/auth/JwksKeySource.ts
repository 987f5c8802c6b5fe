import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { JSONWebKeySet, JWTHeaderParameters, FlattenedJWSInput } from 'jose';
import { createLocalJWKSet, errors as joseErrors } from 'jose';

import { ErrorCode } from '../errors/ErrorCode';
import type { Logger } from '../logging/createLogger';
import { AuthFailure } from './AuthFailure';

type KeyLookup = ReturnType<typeof createLocalJWKSet>;

/** With no key in hand, a failed fetch is tried again after this long at the soonest. */
const NO_KEYS_RETRY_MS = 1000;

function unavailable(): AuthFailure {
  return new AuthFailure(
    "The identity provider's signing keys cannot be fetched right now, so the token cannot be checked: try again shortly.",
    ErrorCode.AUTH_UNAVAILABLE,
  );
}
type Key = Awaited<ReturnType<KeyLookup>>;

export interface JwksKeySourceOptions {
  /** An http(s) URL, or `file:` followed by a path (absolute, relative, or a file:// URL). */
  url: string;
  /** After this long the set is fetched again, in the background: the old keys serve meanwhile. */
  cacheMs: number;
  /** An unknown `kid` fetches the set again at most this often (per source, not per token). */
  cooldownMs: number;
  timeoutMs?: number;
  logger: Logger;
  clock?: () => number;
}

/**
 * The identity provider's signing keys, for jose's `jwtVerify`. jose's
 * `createLocalJWKSet` picks the key for a token (kid, alg, kty, use); this
 * class decides when to fetch the set: once at first use, again in the
 * background when older than `cacheMs` (key rotation), and at once for a `kid`
 * it does not know, at most once per `cooldownMs`. Unlike jose's
 * `createRemoteJWKSet`, a failed refresh keeps the keys it has (stale-if-error),
 * so an identity provider's bad minute does not log everybody out; only with no
 * key at all is the answer AUTH_UNAVAILABLE (HTTP 503).
 */
export class JwksKeySource {
  private lookup: KeyLookup | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly describe: string;

  constructor(private readonly options: JwksKeySourceOptions) {
    this.now = options.clock ?? Date.now;
    this.describe = options.url.startsWith('file:') ? 'the JWKS file' : 'the JWKS URL';
  }

  /** The key for a token, in the shape jose's `jwtVerify` takes as its key argument. */
  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<Key> => {
    if (!this.lookup) {
      // No key at all: fetch, but while the provider stays away not once per request.
      if (!this.pending && this.now() - this.lastAttempt < NO_KEYS_RETRY_MS) throw unavailable();
      await this.refresh();
    } else if (this.now() - this.fetchedAt >= this.options.cacheMs) {
      this.refreshInBackground();
    }
    try {
      return await (this.lookup as KeyLookup)(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      // A fetch under way (a periodic refresh) may bring the key: wait for it.
      if (this.pending) {
        await this.pending.catch(() => undefined);
        return (this.lookup as KeyLookup)(header, token);
      }
      if (this.now() - this.lastAttempt >= this.options.cooldownMs) {
        await this.refresh();
        return (this.lookup as KeyLookup)(header, token);
      }
      throw error;
    }
  };

  /** Fetches the set now (one fetch at a time); throws AUTH_UNAVAILABLE when it cannot. */
  async refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  private refreshInBackground(): void {
    if (this.pending || this.now() - this.lastAttempt < this.options.cooldownMs) return;
    this.refresh().catch(() => {
      // Logged by load(); the keys in hand keep serving.
    });
  }

  private async load(): Promise<void> {
    this.lastAttempt = this.now();
    let set: JSONWebKeySet;
    try {
      set = await this.read();
      const lookup = createLocalJWKSet(set);
      this.lookup = lookup;
      this.fetchedAt = this.now();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn(
        { jwks: this.describe, reason, keysInHand: this.lookup !== undefined },
        this.lookup
          ? 'could not refresh the JWKS; the keys in hand keep serving'
          : 'could not load the JWKS: tokens cannot be checked',
      );
      if (this.lookup) return;
      throw unavailable();
    }
  }

  private async read(): Promise<JSONWebKeySet> {
    const { url } = this.options;
    let body: unknown;
    if (url.startsWith('file:')) {
      const rest = url.slice('file:'.length);
      const file = rest.startsWith('//') ? fileURLToPath(url) : path.resolve(rest);
      body = JSON.parse(await readFile(file, 'utf8'));
    } else {
      const response = await fetch(url, {
        headers: { accept: 'application/json, application/jwk-set+json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`the JWKS URL answered HTTP ${response.status}`);
      }
      body = await response.json();
    }
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new Error('the JWKS has no "keys" array');
    }
    return body as JSONWebKeySet;
  }
}
