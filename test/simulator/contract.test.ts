/**
 * Every cURL example of the source documents (`../shared/onelogin/seeds/`, and the token,
 * event-type, event-by-id and rate-limit pages API.md quotes), replayed against the simulator and
 * checked against the sample responses: same keys, same types, same envelopes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../src/simulator';
import { SAMPLE_EVENT_KEYS, expectSampleShape } from './helpers/eventShape';
import { selectEvents } from './helpers/selectEvents';
import {
  BAD_AUTHORIZATION_SAMPLE,
  CREATE_EVENT_CURL_TEMPLATE,
  CREATE_EVENT_SAMPLE_REQUEST,
  EVENT_TYPES_SAMPLE,
  FAILED_PROVISIONINGS_SAMPLE_TEXT,
  GET_EVENTS_SAMPLE,
  RATE_LIMIT_SAMPLE,
  REVOKE_SAMPLE,
  TOKEN_SAMPLE,
  UNAUTHORIZED_SAMPLE,
} from './helpers/seedSamples';
import { FIXED_NOW, LEGACY_AUTH, call, getToken, postLegacyEvent } from './helpers/simulatorClient';
import type { EventsPage } from './helpers/simulatorClient';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY = 86_400_000;

/** The seed's date format, computed independently: UTC-7, `yyyy/MM/dd HH:mm:ss -0700`. */
function seedDate(iso: string): string {
  const local = new Date(Date.parse(iso) - 7 * 3_600_000).toISOString();
  return `${local.slice(0, 10).replace(/-/g, '/')} ${local.slice(11, 19)} -0700`;
}

describe('OneLogin simulator, replaying the seeds', () => {
  let simulator: SimulatorHandle;
  let token: string;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW });
    token = await getToken(simulator);
    bearer = { Authorization: `bearer:${token}` };
  });
  afterAll(() => simulator.close());

  describe('Generate Tokens v2', () => {
    it('answers the sample fields, in the sample order, with the documented values', async () => {
      const answer = await call(simulator, '/auth/oauth2/v2/token', {
        method: 'POST',
        headers: {
          Authorization: `client_id:${DEMO_CREDENTIALS.clientId}, client_secret:${DEMO_CREDENTIALS.clientSecret}`,
          'Content-Type': 'application/json',
        },
        body: '{"grant_type":"client_credentials"}',
      });

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body as object)).toEqual(Object.keys(TOKEN_SAMPLE));
      expect(answer.body).toEqual({
        access_token: token,
        created_at: expect.stringMatching(ISO_MS),
        expires_in: 36000,
        refresh_token: 'deprecated',
        token_type: 'bearer',
        account_id: 53413,
      });
    });
  });

  describe('Get Events', () => {
    it('curl /api/1/events -H "Authorization: bearer:<token>" answers the sample envelope', async () => {
      const answer = await call(simulator, '/api/1/events', { headers: bearer });
      const page = answer.body as EventsPage;

      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(page)).toEqual(Object.keys(GET_EVENTS_SAMPLE));
      expect(page.status).toEqual(GET_EVENTS_SAMPLE.status);
      expect(Object.keys(page.pagination)).toEqual(Object.keys(GET_EVENTS_SAMPLE.pagination));
      expect(page.pagination).toEqual({
        before_cursor: null,
        after_cursor: expect.stringMatching(/^[A-Za-z0-9+/]+$/),
        previous_link: null,
        next_link: `${simulator.url}/api/1/events?after_cursor=${encodeURIComponent(page.pagination.after_cursor as string)}`,
      });
      expect(page.data).toEqual(simulator.data.events().slice(0, 50));
      page.data.forEach(expectSampleShape);
    });

    it('carries a cursor that decodes like the live one (account id and event id, and more)', async () => {
      const page = (await call(simulator, '/api/1/events?limit=1', { headers: bearer }))
        .body as EventsPage;
      const first = page.data[0] as EventRecord;

      expect(
        Buffer.from(page.pagination.after_cursor as string, 'base64').toString('utf8'),
      ).toEqual(
        `account_id:::53413--##sort:::+id--##created_at:::${first.created_at}--##id:::${first.id}`,
      );
    });

    it('Get Events Created within Date/Time Range: since and until as in the doc example', async () => {
      const since = '2025-05-20T19:44:55.000Z';
      const until = '2025-05-21T19:44:55.000Z';
      const answer = await call(simulator, `/api/1/events?since=${since}&until=${until}`, {
        headers: bearer,
      });
      const page = answer.body as EventsPage;
      const expected = selectEvents(simulator.data.events(), {
        since: Date.parse(since),
        until: Date.parse(until),
        sort: '+id',
      });

      expect(answer.status).toBe(200);
      expect(expected.length).toBeGreaterThan(50);
      expect(page.data).toEqual(expected.slice(0, 50));
      expect(page.pagination.next_link).toBe(
        `${simulator.url}/api/1/events?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&after_cursor=${encodeURIComponent(page.pagination.after_cursor as string)}`,
      );
    });

    it('Get Events by Event Type ID', async () => {
      const page = (await call(simulator, '/api/1/events?event_type_id=5', { headers: bearer }))
        .body as EventsPage;

      expect(page.data).toEqual(
        selectEvents(simulator.data.events(), { eventTypeIds: [5], sort: '+id' }).slice(0, 50),
      );
      page.data.forEach(expectSampleShape);
    });

    it.each([
      ['event_type_id=13', { eventTypeIds: [13], sort: '+id' as const }],
      ['event_type_id=8,13', { eventTypeIds: [8, 13], sort: '+id' as const }],
      ['limit=10', { sort: '+id' as const }],
      ['sort=+id', { sort: '+id' as const }],
      ['sort=-id', { sort: '-id' as const }],
      ['sort=-created_at', { sort: '-created_at' as const }],
    ])('answers the doc example ?%s', async (query, selection) => {
      const page = (await call(simulator, `/api/1/events?${query}`, { headers: bearer }))
        .body as EventsPage;
      const limit = query === 'limit=10' ? 10 : 50;

      expect(page.data).toEqual(selectEvents(simulator.data.events(), selection).slice(0, limit));
    });

    it('answers the doc example ?fields=created_at,event_type_id,user_id with those fields and id', async () => {
      const page = (
        await call(simulator, '/api/1/events?fields=created_at,event_type_id,user_id&limit=3', {
          headers: bearer,
        })
      ).body as EventsPage;

      expect(page.data).toEqual(
        simulator.data
          .events()
          .slice(0, 3)
          .map(({ id, created_at, user_id, event_type_id }) => ({
            id,
            created_at,
            user_id,
            event_type_id,
          })),
      );
    });

    it('answers the doc example that combines filters, sort and fields (stray space included)', async () => {
      const page = (
        await call(
          simulator,
          '/api/1/events?event_type_id=13&sort=+id&fields= created_at,event_type_id,user_id',
          { headers: bearer },
        )
      ).body as EventsPage;

      expect(page.data).toEqual(
        selectEvents(simulator.data.events(), { eventTypeIds: [13], sort: '+id' })
          .slice(0, 50)
          .map(({ id, created_at, user_id, event_type_id }) => ({
            id,
            created_at,
            user_id,
            event_type_id,
          })),
      );
    });

    it('answers the 400 sample when the Authorization header is missing', async () => {
      const answer = await call(simulator, '/api/1/events');

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: BAD_AUTHORIZATION_SAMPLE,
      });
    });

    it('answers the 401 sample when the token is invalid', async () => {
      const answer = await call(simulator, '/api/1/events', {
        headers: { Authorization: 'bearer:not-a-token' },
      });

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 401,
        body: UNAUTHORIZED_SAMPLE,
      });
    });
  });

  describe('Get Event Types', () => {
    it('curl /api/1/events/types -H "Content-Type: application/json" (no token) lists all 539 types', async () => {
      const answer = await call(simulator, '/api/1/events/types', {
        headers: { 'Content-Type': 'application/json' },
      });
      const body = answer.body as typeof EVENT_TYPES_SAMPLE;

      expect(answer.status).toBe(200);
      expect(Object.keys(body)).toEqual(['status', 'data']);
      expect(body.status).toEqual(EVENT_TYPES_SAMPLE.status);
      expect(body.data.slice(0, 2)).toEqual(EVENT_TYPES_SAMPLE.data);
      expect(body.data).toHaveLength(539);
      for (const row of body.data) {
        expect(Object.keys(row)).toEqual(Object.keys(EVENT_TYPES_SAMPLE.data[0] as object));
      }
      expect(body.data).toEqual(simulator.data.eventTypes());
    });
  });

  describe('Get Event by ID', () => {
    it('answers data as a one-element array', async () => {
      const event = simulator.data.events()[1234] as EventRecord;
      const answer = await call(simulator, `/api/1/events/${event.id}`, { headers: bearer });

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 200,
        body: { status: GET_EVENTS_SAMPLE.status, data: [event] },
      });
      expectSampleShape((answer.body as { data: unknown[] }).data[0]);
    });

    it('answers 404 in the /1 envelope for an unknown id', async () => {
      const answer = await call(simulator, '/api/1/events/123', { headers: bearer });

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 404,
        body: {
          status: { error: true, code: 404, type: 'not found', message: 'Event 123 not found' },
        },
      });
    });
  });

  describe('Get Rate Limit and Revoke Tokens', () => {
    it('GET /auth/rate_limit answers the sample shape', async () => {
      const answer = await call(simulator, '/auth/rate_limit', { headers: bearer });
      const body = answer.body as typeof RATE_LIMIT_SAMPLE;

      expect(answer.status).toBe(200);
      expect(Object.keys(body.data)).toEqual(Object.keys(RATE_LIMIT_SAMPLE.data));
      expect(body).toEqual({
        status: RATE_LIMIT_SAMPLE.status,
        data: {
          'X-RateLimit-Limit': 5000,
          'X-RateLimit-Remaining': expect.any(Number),
          'X-RateLimit-Reset': expect.any(Number),
        },
      });
    });

    it('POST /auth/oauth2/revoke answers the sample and the token stops working', async () => {
      const revoked = await call(simulator, '/auth/oauth2/revoke', {
        method: 'POST',
        headers: {
          Authorization: `client_id:${DEMO_CREDENTIALS.clientId}, client_secret:${DEMO_CREDENTIALS.clientSecret}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ access_token: token }),
      });
      const after = await call(simulator, '/api/1/events?limit=1', { headers: bearer });

      expect({ status: revoked.status, body: revoked.body }).toEqual({
        status: 200,
        body: REVOKE_SAMPLE,
      });
      expect({ status: after.status, body: after.body }).toEqual({
        status: 401,
        body: UNAUTHORIZED_SAMPLE,
      });
      token = await getToken(simulator);
      bearer = { Authorization: `bearer:${token}` };
    });
  });

  describe('Create Event (legacy XML)', () => {
    it('the sample request is created (201, no body) and listed by /api/1/events', async () => {
      const before = simulator.data.events().length;
      const answer = await postLegacyEvent(simulator, CREATE_EVENT_SAMPLE_REQUEST);
      const created = simulator.data.events()[before] as EventRecord;

      expect({ status: answer.status, text: answer.text }).toEqual({ status: 201, text: '' });
      expect(created).toEqual({
        id: expect.any(Number),
        created_at: expect.stringMatching(ISO_MS),
        account_id: 53413,
        user_id: 88888,
        event_type_id: 9,
        notes: null,
        ipaddr: '127.0.0.1',
        actor_user_id: 654321,
        assuming_acting_user_id: null,
        role_id: 33333,
        app_id: 11111,
        group_id: 44444,
        otp_device_id: 55555,
        policy_id: 22222,
        actor_system: 'API',
        custom_message: 'sales app event',
        role_name: 'employee-role',
        app_name: 'Mobile Sales',
        group_name: 'sales-group',
        actor_user_name: 'jgonsales',
        user_name: 'Juniper Gonsales',
        policy_name: 'app-policy',
        otp_device_name: 'j-mobile',
        operation_name: null,
        directory_sync_run_id: null,
        directory_id: null,
        resolution: null,
        client_id: null,
        resource_type_id: null,
        error_description: null,
        proxy_ip: null,
        risk_score: null,
        risk_reasons: null,
        risk_cookie_id: null,
        browser_fingerprint: null,
      });
      const byId = await call(simulator, `/api/1/events/${created.id}`, { headers: bearer });
      expect(byId.body).toEqual({ status: GET_EVENTS_SAMPLE.status, data: [created] });
    });

    it('the cURL request, placeholders filled, is created with every element mapped', async () => {
      const values: Record<string, string> = {
        event_type_id: '13',
        account_id: '53413',
        actor_system: 'HR import',
        actor_id: '7777777',
        actor_name: 'Xavier Wong',
        app_id: '11111',
        app_name: 'AppWonder',
        assuming_acting_user_id: '7777778',
        custom_message: 'created by the cURL sample',
        directory_sync_run_id: '42',
        group_id: '44444',
        group_name: 'sales-group',
        ipaddr: '11.111.11.111',
        otp_device_id: '55555',
        otp_device_name: 'j-mobile',
        policy_id: '22222',
        policy_name: 'app-policy',
        role_id: '33333',
        role_name: 'employee-role',
        user_id: '88888888',
        username: 'Xavier Wong',
      };
      const xml = CREATE_EVENT_CURL_TEMPLATE.replace(
        /\{(\w+)\}/g,
        (_whole, name: string) => values[name] as string,
      );
      const answer = await postLegacyEvent(simulator, xml);
      const created = simulator.data.events().at(-1) as EventRecord;

      expect(answer.status).toBe(201);
      expect(created).toEqual(
        expect.objectContaining({
          event_type_id: 13,
          account_id: 53413,
          actor_system: 'HR import',
          actor_user_id: 7777777,
          actor_user_name: 'Xavier Wong',
          app_id: 11111,
          app_name: 'AppWonder',
          assuming_acting_user_id: 7777778,
          custom_message: 'created by the cURL sample',
          directory_sync_run_id: 42,
          group_id: 44444,
          group_name: 'sales-group',
          ipaddr: '11.111.11.111',
          otp_device_id: 55555,
          otp_device_name: 'j-mobile',
          policy_id: 22222,
          policy_name: 'app-policy',
          role_id: 33333,
          role_name: 'employee-role',
          user_id: 88888888,
          user_name: 'Xavier Wong',
        }),
      );
      expect(Object.keys(created)).toEqual(SAMPLE_EVENT_KEYS);
    });
  });

  describe('Get Failed Provisionings (legacy)', () => {
    const sample = JSON.parse(FAILED_PROVISIONINGS_SAMPLE_TEXT) as Array<Record<string, unknown>>;

    it('the cURL request answers a bare array shaped like the sample, slashes escaped', async () => {
      const start = '2025-05-10T09:20:15-08:00';
      const stop = '2025-05-20T09:20:15-08:00';
      const answer = await call(
        simulator,
        `/api/v1/logins/failed_provisioning.json?start_date=${encodeURIComponent(start)}&stop_date=${encodeURIComponent(stop)}`,
        { headers: { Authorization: LEGACY_AUTH } },
      );
      const items = answer.body as Array<Record<string, unknown>>;
      const expected = simulator.data
        .failedProvisionings()
        .filter(
          (item) =>
            Date.parse(item.created_at) >= Date.parse(start) &&
            Date.parse(item.created_at) <= Date.parse(stop),
        )
        .map((item) => ({ ...item, created_at: seedDate(item.created_at) }));

      expect(answer.status).toBe(200);
      expect(expected.length).toBeGreaterThan(10);
      expect(items).toEqual(expected);
      for (const item of items) {
        expect(Object.keys(item)).toEqual(Object.keys(sample[0] as object));
        expect(Object.keys(item.user as object)).toEqual(
          Object.keys((sample[0] as { user: object }).user),
        );
        expect(item.created_at).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} -0700$/);
      }
      expect(answer.text).toContain('"created_at":"2025\\/05\\/');
      expect(answer.text).not.toMatch(/[^\\]\//);
      expect(items.some((item) => item.error_description === null)).toBe(true);
      expect(
        items.some(
          (item) =>
            typeof item.error_description === 'string' &&
            item.error_description.includes('\n') &&
            item.error_description.includes('https://'),
        ),
      ).toBe(true);
    });

    it('200 No Failed Events: answers [] for a window without failures', async () => {
      const answer = await call(
        simulator,
        '/api/v1/logins/failed_provisioning.json?start_date=2015-01-21T09:20:15-08:00&stop_date=2015-01-22T09:20:15-08:00',
        { headers: { Authorization: LEGACY_AUTH } },
      );

      expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: '[]' });
    });
  });

  it('spreads the data over the 30 days before `now`', () => {
    const events = simulator.data.events().slice(0, 20_000);

    expect(Date.parse((events[0] as EventRecord).created_at)).toBeGreaterThanOrEqual(
      FIXED_NOW - 30 * DAY,
    );
    expect(Date.parse((events.at(-1) as EventRecord).created_at)).toBeLessThan(FIXED_NOW);
  });
});
