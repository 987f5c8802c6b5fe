import { DEMO_CREDENTIALS } from '../../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../../src/simulator';

/** An HTTP answer, read completely. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: unknown;
}

export async function call(
  simulator: SimulatorHandle,
  path: string,
  init: RequestInit = {},
): Promise<Answer> {
  const response = await fetch(`${simulator.url}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (_error) {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The documented token request: custom header, JSON body (API.md §2.1). */
export async function getToken(simulator: SimulatorHandle): Promise<string> {
  const answer = await call(simulator, '/auth/oauth2/v2/token', {
    method: 'POST',
    headers: {
      Authorization: `client_id:${DEMO_CREDENTIALS.clientId}, client_secret:${DEMO_CREDENTIALS.clientSecret}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.text}`);
  return (answer.body as { access_token: string }).access_token;
}

export interface EventsPage {
  status: { error: boolean; code: number; type: string; message: string };
  pagination: {
    before_cursor: string | null;
    after_cursor: string | null;
    previous_link: string | null;
    next_link: string | null;
  };
  data: EventRecord[];
}

/** `GET /api/1/events?<query>`; fails the test unless the answer is 200. */
export async function getEvents(
  simulator: SimulatorHandle,
  token: string,
  query: string,
): Promise<EventsPage> {
  const answer = await call(simulator, `/api/1/events${query === '' ? '' : `?${query}`}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (answer.status !== 200) throw new Error(`GET /api/1/events?${query}: ${answer.text}`);
  return answer.body as EventsPage;
}

export const LEGACY_AUTH = basic(DEMO_CREDENTIALS.apiKey, 'x');

/** `POST /api/v1/events.xml` with the demo key. */
export function postLegacyEvent(
  simulator: SimulatorHandle,
  xml: string,
  contentType = 'application/xml',
): Promise<Answer> {
  return call(simulator, '/api/v1/events.xml', {
    method: 'POST',
    headers: { Authorization: LEGACY_AUTH, 'Content-Type': contentType },
    body: xml,
  });
}

/** A fixed anchor for the data, so that every run sees the same events. */
export const FIXED_NOW = Date.parse('2025-06-01T12:00:00.000Z');
