import { describe, expect, it } from '@jest/globals';

import { ConfigError, loadConfig } from '../../src/config/loadConfig';

describe('loadConfig: the live feed (LIVE_*)', () => {
  it('polls every 10 s by default, with a 30 s lease and a minute of overlap, and 100 subscriptions per caller', () => {
    expect(loadConfig({}).live).toEqual({
      pollIntervalMs: 10_000,
      overlapMs: 60_000,
      maxPagesPerPoll: 10,
      streamMaxLength: 10_000,
      streamMaxAgeMs: 3_600_000,
      subscriberBuffer: 1000,
      leaseMs: 30_000,
      resumeMaxAgeMs: 86_400_000,
      subscriptionsPerCallerMax: 100,
    });
  });

  it('takes fractions of a second for the interval and the lease', () => {
    const { live } = loadConfig({ LIVE_POLL_INTERVAL_SECONDS: '0.2', LIVE_LEASE_SECONDS: '1.5' });
    expect(live).toMatchObject({ pollIntervalMs: 200, leaseMs: 1500 });
  });

  it('refuses an interval that is not a number, a buffer smaller than one poll, and a lease no longer than the interval', () => {
    expect(() => loadConfig({ LIVE_POLL_INTERVAL_SECONDS: 'often' })).toThrow(
      new ConfigError(
        'Invalid configuration:\n- LIVE_POLL_INTERVAL_SECONDS must be a number from 0.05 to 3600 (got "often").',
      ),
    );
    expect(() => loadConfig({ LIVE_SUBSCRIBER_BUFFER: '100' })).toThrow(
      /LIVE_SUBSCRIBER_BUFFER \(100\) must hold at least one poll's events, LIVE_POLL_MAX_PAGES × 50 \(500\)/,
    );
    expect(() => loadConfig({ LIVE_POLL_INTERVAL_SECONDS: '30' })).toThrow(
      /LIVE_LEASE_SECONDS \(30\) must be longer than LIVE_POLL_INTERVAL_SECONDS \(30\)/,
    );
  });
});
