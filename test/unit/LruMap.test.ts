import { describe, expect, it } from '@jest/globals';
import { Keyv } from 'keyv';

import { LruMap } from '../../src/cache/LruMap';

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
});
