import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** The environment of a fresh shell: no OneLogin, Redis or demo settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(ONELOGIN_|DEMO_)/.test(key) && !['REDIS_URL', 'NODE_ENV', 'PORT'].includes(key))
      env[key] = value;
  }
  return { ...env, ...extra };
}

describe('.env in the working directory', () => {
  it('is read at start-up, the environment winning over the file, and only variable names are logged', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-dotenv-'));
    // PORT in the file would clash; the environment's PORT=0 must win.
    writeFileSync(path.join(dir, '.env'), 'PORT=1\nDEMO_EVENTS=123\nDEMO_SEED=7\n');
    const child = spawn(TSX, [path.join(ROOT, 'src/index.ts')], {
      cwd: dir,
      env: cleanEnv({ PORT: '0', HOST: '127.0.0.1' }),
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!lines.some((line) => line['url']) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const read = lines.find((line) => line['msg'] === 'read settings from .env');
      expect(read).toMatchObject({
        file: path.join(dir, '.env'),
        variables: ['DEMO_EVENTS', 'DEMO_SEED'],
      });
      const demo = lines.find((line) => String(line['msg']).startsWith('DEMO MODE'));
      expect(demo).toMatchObject({ seed: 7, events: 123 });
      const ready = lines.find((line) => line['url']) as { url: string };
      expect(ready.url).not.toMatch(/:1\//);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
