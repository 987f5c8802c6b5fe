import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository, and tsx, to run `src/index.ts` as `npm run dev` does. */
export const ROOT = path.resolve(__dirname, '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * The environment of a fresh shell: none of the gateway's settings (so that a
 * test's process sees only what the test gives it), plus `extra`.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const gatewaySetting =
      /^(ONELOGIN_|DEMO_|AUTH_|RATE_LIMIT_|GRAPHQL_|TRUSTED_DOCUMENTS|CORS_|CACHE_|UPSTREAM_|REDIS_)/.test(
        key,
      ) || ['NODE_ENV', 'PORT', 'HOST', 'LOG_LEVEL'].includes(key);
    if (!gatewaySetting) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Polls `probe` every 50 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The process's exit code, once it has exited. */
export function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
