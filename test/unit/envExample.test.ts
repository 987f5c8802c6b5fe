import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(__dirname, '../..');

/** The variables the config loader reads: every `read`, `integer`, `decimal` or `boolean` of a name. */
function variablesRead(): string[] {
  const source = readFileSync(path.join(ROOT, 'src/config/loadConfig.ts'), 'utf8');
  const names = [
    ...source.matchAll(/\b(?:read|integer|decimal|boolean)\('([A-Z][A-Z0-9_]+)'/g),
  ].map((match) => match[1] as string);
  return [...new Set(names)].sort();
}

describe('.env.example', () => {
  it('lists every variable the config loader reads', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const listed = new Set(
      [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] as string),
    );
    const read = variablesRead();
    expect(read.length).toBeGreaterThan(40);
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });
});
