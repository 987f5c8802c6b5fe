/**
 * The floor (bench/floor.ts) in a child process of its own against the
 * simulator at `upstream`, with the demo credentials and the bench's three
 * operations: for the main runs and the scale part alike.
 */
import { DEMO_CREDENTIALS } from '../src/simulator';
import type { FloorOptions } from './floor';
import { OPERATIONS } from './scenarios';
import type { Child } from './startChild';
import { startChild } from './startChild';

export function startFloor(
  upstream: string,
  engine: NonNullable<FloorOptions['engine']> = 'plain',
): Promise<Child> {
  return startChild({
    name: engine === 'plain' ? 'floor' : engine,
    entry: 'bench/floorProcess.ts',
    args: [
      JSON.stringify({
        upstream,
        clientId: DEMO_CREDENTIALS.clientId,
        clientSecret: DEMO_CREDENTIALS.clientSecret,
        operations: Object.values(OPERATIONS),
        engine,
      } satisfies FloorOptions),
    ],
    ready: { kind: 'ipc' },
  });
}
