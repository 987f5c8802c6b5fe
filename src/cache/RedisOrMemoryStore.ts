import { EventEmitter } from 'node:events';

import type KeyvRedis from '@keyv/redis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

import { LruMap } from './LruMap';

/**
 * A keyv store that is Redis while Redis is connected and a bounded map in
 * process memory while it is not: a gateway started while Redis is away still
 * caches (each replica for itself), and shares its caches again as soon as
 * Redis answers. Keyv serialises values and their expiry before they reach a
 * store, so both sides hold the same strings and keyv checks expiry on read.
 * What was cached in memory meanwhile is not copied to Redis; it ages out.
 */
export class RedisOrMemoryStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown>;
  private readonly memory: LruMap<string, unknown>;

  constructor(
    private readonly redis: KeyvRedis<unknown>,
    private readonly isConnected: () => boolean,
    maxMemoryEntries: number,
    /** Estimated bytes the memory side may hold (see LruMap); absent: entries only. */
    maxMemoryBytes?: number,
  ) {
    super();
    this.opts = { dialect: 'redis-or-memory' };
    this.memory = new LruMap(Math.max(1, maxMemoryEntries), { maxBytes: maxMemoryBytes });
    redis.on('error', (error: unknown) => this.emit('error', error));
  }

  get namespace(): string | undefined {
    return this.redis.namespace;
  }

  set namespace(value: string | undefined) {
    this.redis.namespace = value;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    if (this.isConnected()) return this.redis.get<Value>(key);
    return this.memory.get(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (this.isConnected()) return this.redis.getMany<Value>(keys);
    return keys.map((key) => this.memory.get(key) as StoredData<Value | undefined>);
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    if (this.isConnected()) {
      await this.redis.set(key, value, ttl);
      return;
    }
    this.memory.set(key, value);
  }

  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    if (this.isConnected()) {
      await this.redis.setMany(entries);
      return;
    }
    for (const { key, value } of entries) this.memory.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    if (this.isConnected()) return this.redis.delete(key);
    return this.memory.delete(key);
  }

  async clear(): Promise<void> {
    this.memory.clear();
    if (this.isConnected()) await this.redis.clear();
  }
}
