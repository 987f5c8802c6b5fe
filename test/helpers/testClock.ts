/**
 * The instant every test's simulator data is generated around. The simulator
 * builds its events from (seed, now); with the wall clock, the data a test
 * relies on would change with the hour the suite starts. Pinned, every run
 * sees the same data (test/integration/dataPreconditions.test.ts checks that
 * the data the tests rely on holds at any hour of a day anyway). `TEST_NOW=<ISO
 * instant> npm test` runs the suite on another day's data.
 */
export const TEST_NOW = Date.parse(process.env['TEST_NOW'] ?? '2026-06-15T12:00:00.000Z');

/** 24 start times, one an hour across a day from TEST_NOW. */
export function hourlyStartTimes(): number[] {
  return Array.from({ length: 24 }, (_unused, hour) => TEST_NOW + hour * 3_600_000);
}

/** A clock a test moves by hand: starts at the real time, and moves only by `advance`. */
export interface TestClock {
  (): number;
  advance(ms: number): void;
}

export function createTestClock(start = Date.now()): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}
