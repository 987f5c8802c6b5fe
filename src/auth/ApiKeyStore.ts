import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

import type { Logger } from '../logging/createLogger';
import type { Caller } from './Caller';
import { oneLoginUserId } from './Caller';
import type { Scope } from './scopes';
import { ALL_SCOPES, isScope } from './scopes';

/**
 * One entry of AUTH_API_KEYS_FILE. The key itself is never stored: only its
 * SHA-256, in hex (`npm run api-key` makes a key and its entry).
 */
export interface ApiKeyEntry {
  name: string;
  sha256: string;
  scopes: Scope[];
  /** A OneLogin user id the key acts as (for `events:read:self` and `me`). */
  userId?: string;
  /** Overrides of RATE_LIMIT_REQUESTS_PER_MINUTE and RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR. */
  requestsPerMinute?: number;
  upstreamCallsPerHour?: number;
}

interface StoredKey {
  hash: Buffer;
  caller: Caller;
}

export class ApiKeyFileError extends Error {
  override name = 'ApiKeyFileError';
}

/**
 * The API keys of AUTH_API_KEYS_FILE, for services (exporters, scripts). A
 * presented key is hashed and compared with every stored hash in constant time
 * (no early exit, so the time says nothing about which key or how much of it
 * matched). The file is read again when it changes (checked every few
 * seconds), so keys can be added and revoked without a restart; a file that no
 * longer reads keeps the keys last read, with an error in the log.
 */
export class ApiKeyStore {
  private keys: StoredKey[] = [];
  private mtimeMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
    options: { checkEveryMs?: number } = {},
  ) {
    this.load(true);
    this.timer = setInterval(() => this.reloadIfChanged(), options.checkEveryMs ?? 5000);
    this.timer.unref();
  }

  get size(): number {
    return this.keys.length;
  }

  /** The caller a key belongs to, or undefined. */
  find(presented: string): Caller | undefined {
    const hash = createHash('sha256').update(presented, 'utf8').digest();
    let found: Caller | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(hash, key.hash) && !found) found = key.caller;
    }
    return found;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private reloadIfChanged(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs === this.mtimeMs) return;
    try {
      this.load(false);
      this.logger.info({ keys: this.keys.length }, 'API keys reloaded');
    } catch (error) {
      this.mtimeMs = mtimeMs;
      this.logger.error(
        { reason: (error as Error).message },
        'AUTH_API_KEYS_FILE changed but does not read; the keys read before stay in force',
      );
    }
  }

  private load(first: boolean): void {
    let text: string;
    try {
      this.mtimeMs = statSync(this.file).mtimeMs;
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      throw new ApiKeyFileError(
        `AUTH_API_KEYS_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the path.`,
      );
    }
    const entries = parseApiKeysFile(text);
    this.keys = entries.map((entry) => ({
      hash: Buffer.from(entry.sha256, 'hex'),
      caller: {
        kind: 'api-key',
        id: `api-key:${entry.name}`,
        name: entry.name,
        userId: entry.userId,
        scopes: new Set(entry.scopes),
        limits: {
          ...(entry.requestsPerMinute ? { requestsPerMinute: entry.requestsPerMinute } : {}),
          ...(entry.upstreamCallsPerHour
            ? { upstreamCallsPerHour: entry.upstreamCallsPerHour }
            : {}),
        },
      },
    }));
    if (first && this.keys.length === 0) {
      this.logger.warn('AUTH_API_KEYS_FILE holds no keys: every API key is refused');
    }
  }
}

/** Reads the file's JSON, `{ "keys": [ApiKeyEntry…] }`, or throws saying what to fix. */
export function parseApiKeysFile(text: string): ApiKeyEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiKeyFileError('AUTH_API_KEYS_FILE is not valid JSON.');
  }
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new ApiKeyFileError('AUTH_API_KEYS_FILE must hold {"keys": [...]}.');
  }
  const names = new Set<string>();
  const hashes = new Set<string>();
  return keys.map((raw: unknown, index) => {
    const where = `AUTH_API_KEYS_FILE keys[${index}]`;
    const entry = raw as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null)
      throw new ApiKeyFileError(`${where} must be an object.`);
    const { name, sha256, scopes, userId, requestsPerMinute, upstreamCallsPerHour } = entry;
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
      throw new ApiKeyFileError(
        `${where}.name must be 1 to 64 letters, digits, dots, dashes or underscores.`,
      );
    }
    if (names.has(name)) throw new ApiKeyFileError(`${where}.name "${name}" is used twice.`);
    names.add(name);
    if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      throw new ApiKeyFileError(
        `${where}.sha256 must be the key's SHA-256 in hex (64 characters).`,
      );
    }
    if (hashes.has(sha256.toLowerCase())) {
      throw new ApiKeyFileError(`${where}.sha256 is the same as another key's.`);
    }
    hashes.add(sha256.toLowerCase());
    if (!Array.isArray(scopes) || !scopes.every(isScope)) {
      throw new ApiKeyFileError(`${where}.scopes must be a list of ${ALL_SCOPES.join(', ')}.`);
    }
    const user = userId === undefined ? undefined : oneLoginUserId(userId);
    if (userId !== undefined && user === undefined) {
      throw new ApiKeyFileError(
        `${where}.userId must be a OneLogin user id (a positive whole number).`,
      );
    }
    const limit = (value: unknown, field: string): number | undefined => {
      if (value === undefined) return undefined;
      if (!Number.isInteger(value) || (value as number) < 1) {
        throw new ApiKeyFileError(`${where}.${field} must be a whole number of at least 1.`);
      }
      return value as number;
    };
    return {
      name,
      sha256: sha256.toLowerCase(),
      scopes: scopes as Scope[],
      ...(user ? { userId: user } : {}),
      ...(limit(requestsPerMinute, 'requestsPerMinute')
        ? { requestsPerMinute: requestsPerMinute as number }
        : {}),
      ...(limit(upstreamCallsPerHour, 'upstreamCallsPerHour')
        ? { upstreamCallsPerHour: upstreamCallsPerHour as number }
        : {}),
    };
  });
}
