/**
 * Tests fail when anything writes to the console: production code logs through
 * an injected pino logger, and tests pass a silent or recording one.
 */
import { afterEach, beforeEach } from '@jest/globals';

const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
let written: string[] = [];
const originals = new Map<string, (...args: unknown[]) => void>();

beforeEach(() => {
  written = [];
  for (const method of methods) {
    originals.set(method, console[method]);
    console[method] = (...args: unknown[]) => {
      written.push(`console.${method}: ${args.map(String).join(' ')}`);
    };
  }
});

afterEach(() => {
  for (const method of methods) {
    const original = originals.get(method);
    if (original) console[method] = original;
  }
  if (written.length > 0) {
    throw new Error(`Test wrote to the console:\n${written.join('\n')}`);
  }
});
