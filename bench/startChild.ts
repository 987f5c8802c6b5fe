/**
 * Runs an entry as a child process of its own, so that its CPU time and memory
 * can be read from /proc apart from everything else: TypeScript through tsx,
 * JavaScript with plain node.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface StartChildOptions {
  /** For messages, e.g. `gateway`. */
  name: string;
  /** Script path relative to the repository root; a `.ts` entry runs through tsx. */
  entry: string;
  args?: readonly string[];
  /** The child's whole environment besides PATH and HOME: nothing else is inherited. */
  env?: Readonly<Record<string, string>>;
  /** Node flags before the entry, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  /**
   * How the child says it is ready: an IPC `{ type: 'ready', url }` message, or
   * answering 200 on `healthURL` (then `url` is the child's URL).
   */
  ready: { kind: 'ipc' } | { kind: 'http'; healthURL: string; url: string };
  timeoutMs?: number;
  /**
   * A file the child's stdout goes to (created or emptied), instead of a pipe
   * to this process: for a child that logs a line per request, so that nothing
   * in the bench's process reads, or can hold up, its writes.
   */
  stdoutFile?: string;
  /** Add to `stdoutFile` rather than empty it (a restarted child writing on). */
  appendStdout?: boolean;
}

export interface Child {
  name: string;
  pid: number;
  url: string;
  /** The last part of what the child wrote to stdout (unless to `stdoutFile`) and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 16_384;
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startChild(options: StartChildOptions): Promise<Child> {
  const stdoutFd =
    options.stdoutFile === undefined
      ? undefined
      : openSync(options.stdoutFile, options.appendStdout ? 'a' : 'w');
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      ...(options.entry.endsWith('.ts') ? ['--import', 'tsx'] : []),
      options.entry,
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe', 'ipc'],
    },
  );
  // The child has its own copy of the descriptor.
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });

  const describe = (problem: string) =>
    new Error(`${options.name} ${problem}${output ? `; it wrote:\n${output.trim()}` : ''}`);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(describe(`was not ready within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    const settle = (error: Error | null, value?: string) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as string);
    };
    child.once('exit', (code, signal) =>
      settle(describe(`exited (${signal ?? code}) before it was ready`)),
    );
    child.once('error', (error) => settle(describe(`could not start: ${error.message}`)));
    const { ready } = options;
    if (ready.kind === 'ipc') {
      child.on('message', (message: { type?: string; url?: string }) => {
        if (message.type === 'ready' && message.url) settle(null, message.url);
      });
    } else {
      const poll = () => {
        fetch(ready.healthURL)
          .then((response) => {
            if (response.ok) settle(null, ready.url);
            else setTimeout(poll, 100);
          })
          .catch(() => {
            if (child.exitCode === null) setTimeout(poll, 100);
          });
      };
      poll();
    }
  });

  return {
    name: options.name,
    pid: child.pid as number,
    url,
    output: () => output,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port nothing listens on right now, for children that need to be told theirs. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `count` different free ports: each is held until all are found, so none comes twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) =>
            server.listening ? server.close(() => resolve()) : resolve(),
          ),
      ),
    );
  }
}
