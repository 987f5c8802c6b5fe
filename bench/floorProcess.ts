/**
 * Child-process entry: the floor (see floor.ts), alone in its process so that
 * its CPU time and memory are measured like the gateway's. Started by
 * startChild with its options as JSON in argv[2]; reports its URL over IPC.
 */
import type { FloorOptions } from './floor';
import { startFloor } from './floor';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as FloorOptions;
  const floor = await startFloor(options);
  const stop = () => {
    void floor.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', url: floor.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`floor failed to start: ${String(error)}\n`);
  process.exit(1);
});
