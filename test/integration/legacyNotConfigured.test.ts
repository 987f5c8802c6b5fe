import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const NOT_CONFIGURED = (field: string) =>
  `\`${field}\` uses OneLogin's legacy API, which needs the account's API key: set ONELOGIN_API_KEY ` +
  '(and ONELOGIN_LEGACY_BASE_URL when the account is not served from https://api.onelogin.com), then restart the gateway.';

describe('the legacy fields without an API key', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ withoutApiKey: true });
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.resetUpstreamCalls();
  });

  it('answers failedProvisionings with UPSTREAM_NOT_CONFIGURED, without an upstream call', async () => {
    const result = await gateway.execute(`
      query {
        failedProvisionings(startDate: "2024-05-01T00:00:00Z", stopDate: "2024-05-02T00:00:00Z") { totalCount }
      }
    `);
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message: NOT_CONFIGURED('failedProvisionings'),
          path: ['failedProvisionings'],
          locations: [{ line: 3, column: 9 }],
          extensions: { code: 'UPSTREAM_NOT_CONFIGURED' },
        },
      ],
      // The estimate does not know the key is missing: it counts the range.
      extensions: cost(1, 0),
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('answers createEvent with UPSTREAM_NOT_CONFIGURED, without an upstream call', async () => {
    const result = await gateway.execute(`
      mutation {
        createEvent(input: { eventTypeId: "5", customMessage: "hello" }) { event { eventTypeId } }
      }
    `);
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message: NOT_CONFIGURED('createEvent'),
          path: ['createEvent'],
          locations: [{ line: 3, column: 9 }],
          extensions: { code: 'UPSTREAM_NOT_CONFIGURED' },
        },
      ],
      // The write and the catalogue (not loaded yet), neither of which is made.
      extensions: cost(2, 0),
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('keeps serving events and event types', async () => {
    const result = await gateway.execute<{
      events: { nodes: Array<{ id: string }> };
      eventType: { name: string };
    }>(`query { events(first: 3) { nodes { id } } eventType(id: "5") { name } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.events.nodes).toHaveLength(3);
    expect(result.data!.eventType).toEqual({ name: 'USER_LOGGED_INTO_ONELOGIN' });
  });

  it('says at start-up which fields are off and why', () => {
    expect(
      gateway.logs.filter((line) => line.includes('ONELOGIN_API_KEY is not set')),
    ).toHaveLength(1);
  });
});
