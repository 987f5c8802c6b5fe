/**
 * The V8 heap of another Node process, through the inspector it opens with
 * `--inspect=127.0.0.1:<port>`: a full garbage collection
 * (`HeapProfiler.collectGarbage`) and then the heap in use
 * (`Runtime.getHeapUsage`). The gateway's code is not touched: the bench reads
 * the heap of the same build production runs, from outside.
 */
import WebSocket from 'ws';

export interface HeapInspector {
  /** Collects garbage, then answers the heap's used and total bytes. */
  heapAfterGc(): Promise<{ usedBytes: number; totalBytes: number }>;
  close(): void;
}

export async function connectInspector(port: number, timeoutMs = 10_000): Promise<HeapInspector> {
  const deadline = Date.now() + timeoutMs;
  let target: string | undefined;
  while (target === undefined) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
        webSocketDebuggerUrl?: string;
      }>;
      target = list[0]?.webSocketDebuggerUrl;
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      if (Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const socket = new WebSocket(target);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown };
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    }
  });
  const call = (method: string): Promise<unknown> =>
    new Promise((resolve) => {
      nextId += 1;
      pending.set(nextId, resolve);
      socket.send(JSON.stringify({ id: nextId, method }));
    });
  return {
    async heapAfterGc() {
      await call('HeapProfiler.collectGarbage');
      const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
    },
    close: () => socket.close(),
  };
}
