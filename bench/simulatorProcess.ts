/**
 * Child-process entry: the OneLogin simulator, alone in its process so that
 * its CPU time is measured apart from the contestants'. Started by
 * startChild with its options as JSON in argv[2]; reports its URL over IPC.
 */
import { startSimulator } from '../src/simulator';

export interface SimulatorProcessOptions {
  seed: number;
  eventCount: number;
  latencyMs: number;
  /** Epoch ms the data is anchored to, so that every run serves the same events. */
  now: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions;
  const simulator = await startSimulator({
    seed: options.seed,
    eventCount: options.eventCount,
    latencyMs: options.latencyMs,
    now: options.now,
    // OneLogin's 5,000 calls an hour would end a benchmark within a second.
    rateLimitPerHour: 1_000_000_000,
  });
  const stop = () => {
    void simulator.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', url: simulator.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${String(error)}\n`);
  process.exit(1);
});
