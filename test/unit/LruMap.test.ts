import { describe, expect, it } from '@jest/globals';
import { Keyv } from 'keyv';

import { approximateBytes, LruMap } from '../../src/cache/LruMap';

describe('LruMap', () => {
  it('drops the least recently used entry beyond its size', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a'); // a is now the most recently used
    map.set('c', 3);
    expect([...map.entries()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
  });

  it('serves as a keyv store', async () => {
    const keyv = new Keyv({
      store: new LruMap<string, unknown>(2),
      serialize: undefined,
      deserialize: undefined,
    });
    await keyv.setMany([
      { key: 'a', value: { id: 1 } },
      { key: 'b', value: { id: 2 } },
      { key: 'c', value: { id: 3 } },
    ]);
    expect(await keyv.getMany(['a', 'b', 'c'])).toEqual([undefined, { id: 2 }, { id: 3 }]);
  });

  it('drops the least recently used entries beyond its byte budget', () => {
    const event = (id: string) => ({ id, notes: 'x'.repeat(100) });
    const one = approximateBytes('a') + approximateBytes(event('a'));
    const map = new LruMap<string, unknown>(100, { maxBytes: 3 * one });
    for (const id of ['a', 'b', 'c']) map.set(id, event(id));
    expect(map.byteSize).toBe(3 * one);
    map.get('a'); // a is now the most recently used
    map.set('d', event('d'));
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    expect(map.byteSize).toBe(3 * one);
    // A value replaced or deleted gives its bytes back.
    map.set('a', { id: 'a' });
    map.delete('c');
    expect(map.byteSize).toBe(approximateBytes('a') + approximateBytes({ id: 'a' }) + one);
    map.clear();
    expect(map.byteSize).toBe(0);
  });

  it('keeps no value larger than its whole byte budget, and drops nothing for it', () => {
    const map = new LruMap<string, string>(100, { maxBytes: 1000 });
    map.set('small', 'x');
    map.set('large', 'x'.repeat(2000));
    expect([...map.keys()]).toEqual(['small']);
    expect(map.byteSize).toBe(approximateBytes('small') + approximateBytes('x'));
  });

  it('peeks without making an entry the most recently used', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.peek('a')).toBe(1);
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });
});
