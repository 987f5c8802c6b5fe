/**
 * A Map that holds at most `maxEntries` and, with `maxBytes`, at most that
 * many bytes of keys and values (as `approximateBytes` estimates them),
 * dropping the least recently used. keyv treats any Map as its in-memory store
 * (it recognises stores by `instanceof Map`), so this bounds keyv's memory
 * without an adapter.
 *
 * The byte count keeps no size per entry: a value's size is estimated again
 * when it leaves, which is exact as long as nobody mutates a value it stored
 * (the caches here replace values, never change them).
 */
export class LruMap<K, V> extends Map<K, V> {
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    options: { maxBytes?: number } = {},
  ) {
    super();
    this.maxBytes = options.maxBytes ?? Infinity;
  }

  /** The estimated bytes held now (0 without `maxBytes`: nothing is counted). */
  get byteSize(): number {
    return this.bytes;
  }

  override get(key: K): V | undefined {
    const value = super.get(key);
    if (value === undefined && !super.has(key)) return undefined;
    // Re-insert: a Map iterates in insertion order, so the front is the least recently used.
    super.delete(key);
    super.set(key, value as V);
    return value;
  }

  /** The value without making it the most recently used. */
  peek(key: K): V | undefined {
    return super.get(key);
  }

  override set(key: K, value: V): this {
    if (super.has(key)) this.delete(key);
    if (this.maxBytes !== Infinity) {
      const bytes = approximateBytes(key) + approximateBytes(value);
      // Larger than the whole budget: not kept, and nothing else dropped for it.
      if (bytes > this.maxBytes) return this;
      this.bytes += bytes;
    }
    super.set(key, value);
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return this;
  }

  override delete(key: K): boolean {
    if (this.maxBytes === Infinity) return super.delete(key);
    if (!super.has(key)) return false;
    this.bytes -= approximateBytes(key) + approximateBytes(super.get(key));
    return super.delete(key);
  }

  override clear(): void {
    super.clear();
    this.bytes = 0;
  }
}

/**
 * Roughly what a value takes in V8's heap, in bytes: a string its header and
 * one byte a character (two for any character above U+00FF would be closer;
 * OneLogin's values are almost all ASCII), an object or array a header and a
 * word per slot plus what its values take, a number a heap number. Shared
 * property names are not counted. For 20,000 of the simulator's events kept
 * as keyv keeps them (projected to the bench's 12 fields, or whole) it came
 * within 1 % of what they added to V8's heap: 512 and 777 bytes an event.
 */
export function approximateBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length;
    case 'number':
      return 16;
    case 'object': {
      if (value === null) return 0;
      // Deeper than an event needs: counted as one small object.
      if (depth > 4) return 32;
      let bytes = 32;
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) bytes += 8 + approximateBytes(item, depth + 1);
        return bytes;
      }
      for (const key in value) {
        bytes += 8 + approximateBytes((value as Record<string, unknown>)[key], depth + 1);
      }
      return bytes;
    }
    default:
      return 8;
  }
}
