import { describe, expect, it } from '@jest/globals';

import { startSimulator } from '../../src/simulator';
import { hourlyStartTimes, TEST_NOW } from '../helpers/testClock';
import { userWithEvents } from '../helpers/testData';

/**
 * The integration tests read their data from the simulator, whose events are
 * generated from (seed, now). They pin `now` to TEST_NOW; this spec shows that
 * what they rely on holds whatever the hour, so moving TEST_NOW, or a test that
 * uses the wall clock, cannot make the suite flaky.
 */
describe('the simulator data the integration tests rely on', () => {
  it.each(hourlyStartTimes().map((now) => [new Date(now).toISOString(), now] as const))(
    'holds for data generated at %s',
    async (_label, now) => {
      // The test gateway's simulator: startTestGateway's defaults.
      const simulator = await startSimulator({ now, eventCount: 2000 });
      try {
        const events = simulator.data.events();
        const failures = simulator.data.failedProvisionings();
        const byCreatedAt = [...events].sort((a, b) => a.created_at.localeCompare(b.created_at));
        const preconditions = {
          // events.test.ts "walks every page backwards from the end": pages of 3, so more than 3.
          userWithTenEvents: events.filter((e) => e.user_id === userWithEvents(events, 10)).length,
          // events.test.ts "filters by time window": events[100] and events[160] bound a window.
          windowBoundsDistinct: events[100]!.created_at !== events[160]!.created_at,
          // federation.test.ts: a user with a name.
          namedUser: events.some((e) => e.user_id !== null && Boolean(e.user_name)),
          // events.test.ts: logins and failed logins to walk.
          loginsAndFailedLogins:
            events.some((e) => e.event_type_id === 5) && events.some((e) => e.event_type_id === 6),
          // legacyFailedProvisionings.test.ts: a range on records 40..110 holds at least 71 failures.
          failedProvisionings: failures.length >= 111,
          // Every event falls within the 30 days before `now` (the README's relative examples).
          withinThirtyDays:
            Date.parse(byCreatedAt[0]!.created_at) >= now - 30 * 86_400_000 &&
            Date.parse(byCreatedAt[byCreatedAt.length - 1]!.created_at) <= now,
        };
        expect(preconditions).toEqual({
          userWithTenEvents: expect.any(Number),
          windowBoundsDistinct: true,
          namedUser: true,
          loginsAndFailedLogins: true,
          failedProvisionings: true,
          withinThirtyDays: true,
        });
        expect(preconditions.userWithTenEvents).toBeGreaterThanOrEqual(10);
      } finally {
        await simulator.close();
      }
    },
  );

  it('is generated around a valid TEST_NOW', () => {
    expect(Number.isFinite(TEST_NOW)).toBe(true);
  });
});
