import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
      /^(ONELOGIN_|DEMO_|AUTH_|RATE_LIMIT_|GRAPHQL_|TRUSTED_DOCUMENTS|CORS_|CACHE_|UPSTREAM_|REDIS_|METRICS_|SHUTDOWN_|OTEL_|LOG_)/.test(
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

/** `src/index.ts` as `npm run dev` runs it, with `env` only: its stdout lines as they come, and its stderr. */
export function spawnGateway(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: string[];
} {
  const child = spawn(TSX, ['src/index.ts'], { cwd: ROOT, env: cleanEnv(env) });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return { child, lines, stderr };
}

/** A gateway process (`src/index.ts`) a test started. */
export interface Replica {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: string[];
}

/**
 * Spawns `src/index.ts` (in a process group of its own, tsx's wrapper and the
 * node process under it) and resolves with its URL once it logs that it is ready.
 */
export function startReplica(env: Record<string, string>, cwd: string): Promise<Replica> {
  const child = spawn(TSX, [path.join(ROOT, 'src/index.ts')], {
    cwd,
    env: cleanEnv(env),
    detached: true,
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`the gateway did not start in time: ${stderr.join('')}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}) before it was ready: ${stderr.join('')}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as { msg?: string; url?: string };
        if (line.url && line.msg?.startsWith('GraphQL gateway ready at ')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ child, url: line.url, stderr });
        }
      }
    });
  });
}

/** Kills the replica's whole process group (tsx's wrapper and the gateway under it). */
export function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The exit code once the process exits, or 'still running' after `ms`. */
export function exitWithin(
  child: ChildProcessWithoutNullStreams,
  ms: number,
): Promise<number | null | 'still running'> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export async function stopReplica(replica: Replica | undefined): Promise<void> {
  if (!replica) return;
  if (replica.child.exitCode === null) {
    replica.child.kill('SIGTERM');
    await exitWithin(replica.child, 5_000);
  }
  killGroup(replica.child);
}
